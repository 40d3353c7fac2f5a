import type { RecordedEvent, Subscription, SubscriptionOptions } from '../event-store.port';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff';
import { pause } from '../../shared/pause';
import { isAfter } from './kurrentdb-positions';

/**
 * One server-side read of the log after a position: events in log order until it ends or
 * fails. Iterating pulls one event at a time, so a slow handler holds the server back
 * (backpressure) instead of piling events up in memory.
 */
export interface LogFeed extends AsyncIterable<RecordedEvent> {
  /** Ends the feed; an iteration waiting for the next event finishes. Safe to call twice. */
  close(): Promise<void>;
}

export interface ResubscribePolicy {
  backoff: BackoffPolicy;
  /** True for feed failures worth resubscribing after (server away, leader change). */
  isTransient(error: unknown): boolean;
  /** Told about each drop before the wait; the subscription goes on. */
  onRetry(error: unknown, delayMs: number): void;
  random?: () => number;
}

/**
 * Catch-up subscription that survives drops: a pull loop over a feed, and when the feed fails
 * or ends, a new feed after a backoff from the last position the handler finished. Each event
 * reaches the handler once, in log order; a failing handler ends the subscription (onError).
 */
export class ResubscribingSubscription implements Subscription {
  /** Settles when delivery has ended (stopped or given up). */
  readonly finished: Promise<void>;
  private stopped = false;
  private feed: LogFeed | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly openFeed: (after: bigint | undefined) => LogFeed,
    private readonly options: SubscriptionOptions,
    private readonly policy: ResubscribePolicy,
  ) {
    this.finished = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.closeFeed();
    await this.finished;
  }

  /**
   * A feed that failed may fail its close too (the client's unsubscribe rethrows why its stream
   * never opened: no node found): there is nothing left to close, and the loop must go on.
   */
  private async closeFeed(): Promise<void> {
    await this.feed?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    // The handler never runs inside subscribeToAll itself.
    await Promise.resolve();
    let after = this.options.after;
    let attempt = 0;
    while (!this.stopped) {
      let dropped: unknown = new Error('the server ended the subscription');
      try {
        this.feed = this.openFeed(after);
        for await (const event of this.feed) {
          if (this.stopped) return;
          // Feeds start AT a position; the port starts after it.
          if (!isAfter(event.position, after)) continue;
          try {
            // The client has decoded the event already: skipping it saves the subscriber's work only.
            const { skipping } = this.options;
            if (skipping?.types.has(event.type)) await skipping.skipped(event.position, event.id, 1);
            else await this.options.handler(event);
          } catch (error) {
            this.giveUp(error);
            return;
          }
          after = event.position;
          attempt = 0;
        }
      } catch (error) {
        if (this.stopped) return;
        if (!this.policy.isTransient(error)) {
          this.giveUp(error);
          return;
        }
        dropped = error;
      } finally {
        await this.closeFeed();
        this.feed = undefined;
      }
      if (this.stopped) return;
      const delay = backoffDelay(attempt++, this.policy.backoff, this.policy.random);
      this.policy.onRetry(dropped, delay);
      await pause(delay, this.stopping.signal);
    }
  }

  private giveUp(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else process.emitWarning(`event-store subscription stopped: ${String(error)}`);
  }
}
