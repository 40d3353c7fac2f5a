import { Gauge, type Registry } from 'prom-client';
import { backlogs } from '../event-store/backlogs';
import type { Backlog, EventStore } from '../event-store/event-store.port';

/** Counting stops here: a lag this large is an incident whatever its exact size. */
export const LAG_COUNT_CAP = 10_000;

/** Where a subscriber stands: the position of the last event it applied and checkpointed, undefined before any. */
export type CheckpointSource = () => bigint | undefined;

/**
 * How far each checkpointed subscriber of the log (every projection, the notifier) is behind:
 * in events (counted on the log, so the same on both adapters, whose positions differ in
 * meaning) and in seconds (how long the oldest event it has not applied has waited; 0 when caught
 * up). The runners register their checkpoints while they run; each scrape measures them
 * against the head of the log, once for both gauges.
 */
export class SubscriberLag {
  private readonly sources = new Map<string, CheckpointSource>();
  /** The measurement under way: a scrape collects both gauges at once, and they share it. */
  private measuring: Promise<Map<string, Backlog>> | undefined;

  constructor(
    registry: Registry,
    private readonly events: Pick<EventStore, 'headPosition' | 'backlog'>,
  ) {
    const lag = this;
    new Gauge({
      name: 'ztkeys_subscriber_lag_events',
      help: `Events in the log a subscriber (projection:<name>, notifier, checkpointer) has not applied yet, counted up to ${LAG_COUNT_CAP}`,
      labelNames: ['subscriber'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [subscriber, backlog] of await lag.measure()) this.set({ subscriber }, backlog.events);
      },
    });
    new Gauge({
      name: 'ztkeys_subscriber_lag_seconds',
      help: 'How long the oldest event a subscriber has not applied has waited; 0 when it is caught up',
      labelNames: ['subscriber'],
      registers: [registry],
      async collect() {
        this.reset();
        const now = Date.now();
        for (const [subscriber, { oldestOccurredAt }] of await lag.measure()) {
          this.set({ subscriber }, oldestOccurredAt ? Math.max(0, now - Date.parse(oldestOccurredAt)) / 1000 : 0);
        }
      },
    });
  }

  /** Registers a running subscriber; the returned function unregisters it when it stops. */
  follow(subscriber: string, checkpoint: CheckpointSource): () => void {
    this.sources.set(subscriber, checkpoint);
    return () => {
      if (this.sources.get(subscriber) === checkpoint) this.sources.delete(subscriber);
    };
  }

  private measure(): Promise<Map<string, Backlog>> {
    return (this.measuring ??= this.measureNow().finally(() => (this.measuring = undefined)));
  }

  private async measureNow(): Promise<Map<string, Backlog>> {
    try {
      const head = await this.events.headPosition();
      return await backlogs(this.events, head, [...this.sources].map(([subscriber, checkpoint]) => [subscriber, checkpoint()] as const), LAG_COUNT_CAP);
    } catch {
      // Log unreachable: no figure rather than a wrong one; readiness reports the outage.
      return new Map();
    }
  }
}
