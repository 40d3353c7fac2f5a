import type { Registry } from 'prom-client';
import type { StateCacheLimits } from '../application/stream-states';
import type { EventStore } from '../event-store/event-store.port';
import type { NotificationsConfig } from './notifications.config';
import type { EmailJobHandler, EmailQueue, EmailQueueWorker, EmailQueueWorkerOptions } from './queue/email-queue.port';
import type { Mailer } from './mail/mailer.port';
import { openEmailBackend, openMailer, type EmailBackend } from './email-backend';
import { emailDelivery, type EmailDeliveryDeps } from './email-delivery';
import { EmailDeliveryMetrics, registerEmailQueueMetrics, registerNotifierMetrics } from './email-metrics';
import { Notifier, type NotifierOptions } from './notifier';

export interface EmailNotificationsOptions {
  config: NotificationsConfig;
  /** Where queue depth (and, with the worker, deliveries, failures and latency) are registered. */
  registry: Registry;
  /** The log to follow: when given, this process runs the notifier and enqueues email jobs. */
  events?: EventStore;
  /** Bounds of the notifier's stream-state cache (STREAM_STATES_IN_MEMORY, STREAM_STATE_EVENTS_IN_MEMORY). */
  stateCacheLimits?: StateCacheLimits;
  /** Send emails in this process: the embedded default, and what `npm run worker` does. */
  worker: boolean;
  /** Faults of the queue's store (Redis down): reported, then retried. */
  onError?: (error: unknown) => void;
  onAttemptFailed?: EmailDeliveryDeps['onAttemptFailed'];
  onHandedBack?: EmailDeliveryDeps['onHandedBack'];
  /** Told of each event the notifier parks (e.g. to log it). */
  onParked?: NotifierOptions['onParked'];
  /** Told of each job this process's worker gives up without handing it out (its workers died, or it had used its attempts), once counted (e.g. to log it). */
  onGivenUp?: EmailQueueWorkerOptions['onGivenUp'];
}

/** R12 as one process runs it: the notifier and/or a worker, over the configured queue and mailer. */
export class EmailNotifications {
  /** Readiness: fails while the queue's store (Redis, or the SQLite file) does not answer. */
  readonly readiness = {
    name: 'emailQueue',
    ping: async (): Promise<boolean> => {
      this.notifier?.checkReady();
      return this.queue.ping();
    },
  };
  private readonly backend: EmailBackend;
  private readonly notifier?: Notifier;
  private readonly sender?: { mailer: Mailer; deliver: EmailJobHandler; metrics: EmailDeliveryMetrics };
  private worker?: EmailQueueWorker;

  constructor(private readonly options: EmailNotificationsOptions) {
    const { config, registry, events, stateCacheLimits, onError, onParked } = options;
    this.backend = openEmailBackend(config, onError);
    registerEmailQueueMetrics(registry, this.backend.queue);
    if (events) {
      const { keepCompletedMs } = config;
      this.notifier = new Notifier({ events, queue: this.backend.queue, checkpoint: this.backend.checkpoint, keepCompletedMs, stateCacheLimits, onError, onParked });
      registerNotifierMetrics(registry, this.notifier);
    }
    if (options.worker) {
      const mailer = openMailer(config);
      const metrics = new EmailDeliveryMetrics(registry);
      const deliver = emailDelivery({ mailer, from: config.from, attempts: config.retry.attempts, metrics, onAttemptFailed: options.onAttemptFailed, onHandedBack: options.onHandedBack });
      this.sender = { mailer, deliver, metrics };
    }
  }

  /** Where the notifier stands in the log (lag metrics): its last event whose jobs are queued; undefined before any and without a checkpoint. */
  get notifierCheckpoint(): bigint | undefined {
    return this.notifier?.position;
  }

  get queue(): EmailQueue {
    return this.backend.queue;
  }

  /** Starts following the log and sending; returns at once (the notifier waits for the queue's store if it is down). */
  start(): void {
    this.notifier?.start().catch((error: unknown) => this.options.onError?.(error));
    const sender = this.sender;
    if (sender) {
      this.worker = this.queue.process(sender.deliver, {
        concurrency: this.options.config.concurrency,
        // Given up by the queue, not by the handler: counted here, as the handler counts the others.
        onGivenUp: (job, reason) => {
          sender.metrics.givenUp(job, reason);
          this.options.onGivenUp?.(job, reason);
        },
      });
    }
  }

  /** Stops following the log, lets running sends finish, then closes the stores. */
  async stop(): Promise<void> {
    await this.notifier?.stop();
    await this.worker?.close();
    await this.backend.close();
    await this.sender?.mailer.close();
  }
}
