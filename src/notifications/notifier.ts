import type { EventStore, RecordedEvent, Subscription } from '../event-store/event-store.port';
import type { EmailQueue } from './queue/email-queue.port';
import type { NotifierCheckpoint } from './checkpoint/notifier-checkpoint.port';
import { EmailJobPlanner } from './email-job-planner';
import { BACKOFF, backoffDelay } from '../shared/backoff';

export interface NotifierOptions {
  events: EventStore;
  queue: Pick<EmailQueue, 'add'>;
  checkpoint: NotifierCheckpoint;
  /** First wait after a failure to plan or enqueue; doubles up to retryCapMs. */
  retryBaseMs?: number;
  retryCapMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Follows the event log and turns R12's events into email jobs (R12: driven by the log, not
 * by the command handler). For each event: plan its jobs, enqueue them, then move the
 * checkpoint past it. A crash anywhere before the checkpoint moves replays the event, and the
 * job ids (event id + recipient) make the replay enqueue nothing new. While the queue's store
 * is down the notifier retries the same event: nothing is skipped.
 */
export class Notifier {
  private readonly planner: EmailJobPlanner;
  private subscription?: Subscription;
  private stopping = false;
  private readonly abort = new AbortController();
  private checkpointed?: bigint;

  constructor(private readonly options: NotifierOptions) {
    this.planner = new EmailJobPlanner(options.events);
  }

  async start(): Promise<void> {
    const after = await this.persistently(() => this.options.checkpoint.load());
    if (this.stopping) return;
    this.checkpointed = after;
    this.subscription = this.options.events.subscribeToAll({
      after,
      handler: (event) => this.handle(event),
      onError: this.options.onError,
    });
  }

  /** Position of the last event whose jobs are queued and checkpointed (lag metrics); undefined before any. */
  get position(): bigint | undefined {
    return this.checkpointed;
  }

  /** Stops following the log; an event whose jobs are not queued yet is replayed by the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.subscription?.stop();
  }

  private async handle(event: RecordedEvent): Promise<void> {
    await this.persistently(async () => {
      const jobs = await this.planner.jobsFor(event);
      if (jobs.length > 0) await this.options.queue.add(jobs);
      await this.options.checkpoint.save(event.position);
      this.checkpointed = event.position;
    });
  }

  /** Runs `step` until it succeeds, waiting longer after each failure; gives up only when stopped. */
  private async persistently<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        if (this.stopping) throw error;
        this.options.onError?.(error);
        const { retryBaseMs = BACKOFF.notifier.initialMs, retryCapMs = BACKOFF.notifier.maxMs } = this.options;
        await this.pause(backoffDelay(attempt - 1, { ...BACKOFF.notifier, initialMs: retryBaseMs, maxMs: retryCapMs }));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done);
    });
  }
}
