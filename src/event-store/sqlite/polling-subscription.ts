import { pause, WakeUp } from '../../shared/pause';
import type { RecordedEvent, Subscription, SubscriptionOptions } from '../event-store.port';

/** Where a read went past events of types the subscriber does not need (SubscriptionOptions.skipping), and how many. */
export interface SkippedEvent {
  skipped: true;
  position: bigint;
  id: string;
  events: number;
}

/** Where a subscription reads the log from. */
export interface LogReader {
  /**
   * Up to `limit` events after `after` (exclusive), in log order; synchronous like better-sqlite3.
   * The events of the `skipped` types are left out, and a SkippedEvent last counts them.
   */
  readBatch(after: bigint | undefined, limit: number, skipped?: ReadonlySet<string>): Array<RecordedEvent | SkippedEvent>;
  /** True for faults worth retrying (another connection holding a lock). */
  isTransient(error: unknown): boolean;
}

const BATCH_SIZE = 256;
/** The wait after a read that found the log's head; each further empty read doubles it, up to the poll interval. */
const FIRST_POLL_MS = 5;

/**
 * Catch-up subscription: reads batches after the last delivered position and, once caught up,
 * sleeps until the store wakes it (a commit of this process) or its poll ends (a commit of
 * another process on the same file). The poll backs off from FIRST_POLL_MS to the poll interval
 * while the log stays still: another process's appends in a busy spell arrive within a few ms,
 * and an idle server reads the log a few times a second, not hundreds. Delivery resumes from
 * the last delivered position, so each event reaches the handler once, in log order.
 */
export class PollingSubscription implements Subscription {
  /** Settles when delivery has ended (stopped or given up). */
  readonly finished: Promise<void>;
  private stopped = false;
  private readonly wakeUp = new WakeUp();
  /** Reads in a row that found nothing new. */
  private emptyReads = 0;

  constructor(
    private readonly reader: LogReader,
    private readonly options: SubscriptionOptions,
    private readonly pollIntervalMs: number,
  ) {
    this.finished = this.run();
  }

  /** Tells an idle subscription that the log has grown. */
  notify(): void {
    this.wakeUp.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp.wake();
    await this.finished;
  }

  private async run(): Promise<void> {
    // The handler never runs inside subscribeToAll itself.
    await Promise.resolve();
    let after = this.options.after;
    try {
      while (!this.stopped) {
        const batch = this.readOrRetry(after);
        if (batch === undefined || batch.length === 0) {
          // Taken at once after the empty read: a commit notified from then on ends the pause.
          await pause(Math.min(this.pollIntervalMs, FIRST_POLL_MS * 2 ** this.emptyReads++), this.wakeUp.signal);
          continue;
        }
        this.emptyReads = 0;
        for (const event of batch) {
          if (this.stopped) return;
          const handled = 'skipped' in event ? this.options.skipping?.skipped(event.position, event.id, event.events) : this.options.handler(event);
          // Awaited only when it is a promise: awaiting each event's undefined made a promise per event.
          if (handled) await handled;
          after = event.position;
        }
        // Reading and decoding are synchronous: a long catch-up must not hold the event loop.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.reportGivingUp(error);
    }
  }

  /** undefined when the read hit a transient fault: the loop sleeps and tries again. */
  private readOrRetry(after: bigint | undefined): Array<RecordedEvent | SkippedEvent> | undefined {
    try {
      return this.reader.readBatch(after, BATCH_SIZE, this.options.skipping?.types);
    } catch (error) {
      if (this.reader.isTransient(error)) return undefined;
      throw error;
    }
  }

  private reportGivingUp(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else process.emitWarning(`event-store subscription stopped: ${String(error)}`);
  }
}
