import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { EMAIL_KINDS, type EmailJob } from './email-job';
import type { EmailQueue } from './queue/email-queue.port';

/** Queue depth by state (waiting, delayed, active, completed, failed), read from the queue's store at each scrape. */
export function registerEmailQueueMetrics(registry: Registry, queue: Pick<EmailQueue, 'counts'>): void {
  new Gauge({
    name: 'ztkeys_email_queue_jobs',
    help: 'Email jobs in the queue, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [state, count] of Object.entries(await queue.counts())) this.set({ state }, count);
      } catch {
        // Store unreachable: no figure rather than a stale one; readiness reports the outage.
      }
    },
  });
}

/** Events the notifier parked (it cannot plan their emails, see Notifier.plan): above 0, some emails wait for a release that reads them. */
export function registerNotifierMetrics(registry: Registry, notifier: { parkedCount: number }): void {
  new Gauge({
    name: 'ztkeys_email_notifier_parked_events',
    help: 'Events the email notifier could not plan emails for (written by a newer release): parked, planned again at each start',
    registers: [registry],
    collect() {
      this.set(notifier.parkedCount);
    },
  });
}

/**
 * Why a job is given up (kept in the failed jobs): refused for good by the SMTP server, out of
 * attempts, or its workers died (killed, lock or lease lost) until the queue gave it no further try.
 */
const GIVEN_UP_REASONS = ['refused', 'attempts', 'worker_lost'] as const;
export type GivenUpReason = (typeof GIVEN_UP_REASONS)[number];

/** What a worker sees: emails delivered, attempts failed, jobs given up, and the time from the event to the delivery. */
export class EmailDeliveryMetrics {
  private readonly sent: Counter<'kind'>;
  private readonly failures: Counter<'kind'>;
  private readonly givenUps: Counter<'kind' | 'reason'>;
  private readonly latency: Histogram<'kind'>;
  private readonly forNewerRelease: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({ name: 'ztkeys_emails_sent_total', help: 'Emails delivered', labelNames: ['kind'], registers });
    this.failures = new Counter({
      name: 'ztkeys_email_attempt_failures_total',
      help: 'Email delivery attempts that failed (retried until attempts run out, unless the SMTP server refused the email for good)',
      labelNames: ['kind'],
      registers,
    });
    // A counter, not the failed jobs' gauge: `npm run emails -- retry` lowers that, and a retry hides a new failure.
    this.givenUps = new Counter({
      name: 'ztkeys_emails_given_up_total',
      help: 'Email jobs given up and kept in the failed jobs: refused for good by the SMTP server (reason refused), out of EMAIL_ATTEMPTS (reason attempts), or their workers died until the queue gave them no further try (reason worker_lost)',
      labelNames: ['kind', 'reason'],
      registers,
    });
    // At 0 from the start: a series born at 1 shows no increase(), and the first job given up would raise no alert.
    for (const kind of EMAIL_KINDS) for (const reason of GIVEN_UP_REASONS) this.givenUps.inc({ kind, reason }, 0);
    // Unlabelled, at 0 from the start: the kinds it meets are by definition unknown to this release.
    this.forNewerRelease = new Counter({
      name: 'ztkeys_email_jobs_for_newer_release_total',
      help: 'Email jobs this worker handed back to the queue unattempted, their kind written by a newer ztkeys release (a rolling upgrade under way): a worker of that release sends them',
      registers,
    });
    this.latency = new Histogram({
      name: 'ztkeys_email_delivery_latency_seconds',
      help: 'Time from the event to the delivery of its email',
      labelNames: ['kind'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      registers,
    });
  }

  delivered(job: EmailJob, at: Date): void {
    this.sent.inc({ kind: job.kind });
    this.latency.observe({ kind: job.kind }, Math.max(0, at.getTime() - Date.parse(job.occurredAt)) / 1000);
  }

  attemptFailed(job: EmailJob): void {
    this.failures.inc({ kind: job.kind });
  }

  handedBackForNewerRelease(): void {
    this.forNewerRelease.inc();
  }

  givenUp(job: EmailJob, reason: GivenUpReason): void {
    this.givenUps.inc({ kind: job.kind, reason });
  }
}
