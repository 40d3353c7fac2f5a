import { isEmailKind, type EmailJob } from './email-job';
import { JobForNewerRelease, PermanentJobFailure, type EmailJobHandler, type EmailQueueGivenUpReason } from './queue/email-queue.port';
import { refusedForGood, type Mailer } from './mail/mailer.port';
import type { EmailDeliveryMetrics, GivenUpReason } from './email-metrics';
import { renderEmail } from './email-content';

/** A failed attempt to send a job's email: attempt `attempt` of `attempts` (EMAIL_ATTEMPTS). */
export interface FailedAttempt {
  job: EmailJob;
  attempt: number;
  attempts: number;
  error: unknown;
  /** The SMTP server refused the email for good (5yz): the job fails now, whatever attempts are left. */
  refusedForGood: boolean;
}

/** Why this failed attempt gives its job up; undefined while the queue will try again. */
export function givenUpReason({ attempt, attempts, refusedForGood: forGood }: FailedAttempt): GivenUpReason | undefined {
  if (forGood) return 'refused';
  return attempt >= attempts ? 'attempts' : undefined;
}

/**
 * How long a job of a kind this release does not know waits in the queue before a worker takes it
 * again: long enough that older workers do not spin on it, short beside a rolling upgrade.
 */
export const NEWER_RELEASE_JOB_DELAY_MS = 30_000;

export interface EmailDeliveryDeps {
  mailer: Mailer;
  from: string;
  /** EMAIL_ATTEMPTS: the attempt of that number is the last one. */
  attempts: number;
  metrics: EmailDeliveryMetrics;
  /** Told of each failed attempt (the queue retries it unless it was the last or refused for good), e.g. to log it. */
  onAttemptFailed?: (failure: FailedAttempt) => void;
  /** Told of each job handed back unattempted, its kind written by a newer release, e.g. to log it. */
  onHandedBack?: (job: EmailJob, delayMs: number) => void;
}

/**
 * The job handler of every worker: write the email, hand it to the mailer, count it. A refusal
 * for good (RFC 5321 §4.2.1: a 5yz is a permanent negative completion) fails the job at once: the
 * same message would be refused again, and retrying it only knocks at the server for hours.
 */
export function emailDelivery(deps: EmailDeliveryDeps): EmailJobHandler {
  return async (job, attempt) => {
    // Queued by a newer release's notifier (a rolling upgrade): a worker of that release sends it; no attempt spent here.
    if (!isEmailKind(job.kind)) {
      deps.metrics.handedBackForNewerRelease();
      deps.onHandedBack?.(job, NEWER_RELEASE_JOB_DELAY_MS);
      throw new JobForNewerRelease(job.kind, NEWER_RELEASE_JOB_DELAY_MS);
    }
    try {
      await deps.mailer.send(renderEmail(job, deps.from, new Date()));
    } catch (error) {
      const failure: FailedAttempt = { job, attempt, attempts: deps.attempts, error, refusedForGood: refusedForGood(error) };
      deps.metrics.attemptFailed(job);
      const reason = givenUpReason(failure);
      if (reason) deps.metrics.givenUp(job, reason);
      deps.onAttemptFailed?.(failure);
      throw failure.refusedForGood ? new PermanentJobFailure(error) : error;
    }
    deps.metrics.delivered(job, new Date());
  };
}

/** The log line of a job the queue gave up without handing it out: no failed attempt's line tells of that end. */
export function queueGivenUpLog(job: EmailJob, reason: EmailQueueGivenUpReason): { fields: { jobId: string; kind: EmailJob['kind'] }; msg: string } {
  const why =
    reason === 'worker_lost'
      ? 'the workers running it died until it had no try left'
      : 'it had used its attempts already (EMAIL_ATTEMPTS lowered since its last failed attempt)';
  return { fields: { jobId: job.id, kind: job.kind }, msg: `email job given up: ${why}; the job is kept in the failed jobs` };
}

/** The log line of a job handed back for a worker of the newer release that wrote it. */
function newerReleaseJobLog(job: EmailJob, delayMs: number): { fields: { jobId: string; kind: string }; msg: string } {
  return {
    fields: { jobId: job.id, kind: job.kind },
    msg: `email job of a kind written by a newer ztkeys release: handed back to the queue for ${delayMs / 1000} s, no attempt spent; a worker of that release sends it (finish the upgrade)`,
  };
}

/**
 * The hand-backs' log lines of one process (one per worker process, or server): the first job of
 * each kind it does not know is a warning, every later hand-back of that kind (another job, or the
 * same one again after its delay) a debug line. An older worker left running during an upgrade
 * otherwise warns once per such job every NEWER_RELEASE_JOB_DELAY_MS, for ever;
 * ztkeys_email_jobs_for_newer_release_total counts each hand-back. The kinds held are a newer
 * release's email kinds, a handful.
 */
export function newerReleaseJobLogs(): (job: EmailJob, delayMs: number) => { level: 'warn' | 'debug'; fields: { jobId: string; kind: string }; msg: string } {
  const warned = new Set<string>();
  return (job, delayMs) => {
    const level = warned.has(job.kind) ? 'debug' : 'warn';
    warned.add(job.kind);
    return { level, ...newerReleaseJobLog(job, delayMs) };
  };
}

/**
 * The log line of a failed attempt, the same from the server and from `npm run worker`: a warning
 * while the queue will try again, an error once the job stays failed (refused for good, or no
 * attempt left). `err` holds the mailer's error, with the SMTP server's answer (responseCode,
 * response, command).
 */
export function failedAttemptLog(failure: FailedAttempt): {
  level: 'warn' | 'error';
  fields: { jobId: string; kind: EmailJob['kind']; attempt: number; attempts: number; err: unknown };
  msg: string;
} {
  const { job, attempt, attempts, error } = failure;
  const fields = { jobId: job.id, kind: job.kind, attempt, attempts, err: error };
  const kept = 'the job is kept in the failed jobs';
  const reason = givenUpReason(failure);
  if (reason === 'refused') {
    return { level: 'error', fields, msg: `email attempt ${attempt} of ${attempts} refused for good by the SMTP server; it will not be retried: ${kept}` };
  }
  return {
    level: reason ? 'error' : 'warn',
    fields,
    msg: `email attempt ${attempt} of ${attempts} failed; ${reason ? `none left: ${kept}` : 'it will be retried'}`,
  };
}
