import { Counter, Histogram, type Registry } from 'prom-client';
import { ConcurrencyConflict, type EventStore, type ReadStreamOptions, type StreamGuard, type StreamWrite, type SubscriptionOptions } from '../event-store/event-store.port';

/**
 * The event store with its appends timed (by adapter and outcome) and its refusals for a stale
 * expected revision counted: each such conflict makes a command handler load, decide and append
 * again, so their rate is the rate of conflict retries.
 */
export class MeasuredEventStore implements EventStore {
  private readonly latency: Histogram<'adapter' | 'outcome'>;
  private readonly conflicts: Counter<'adapter'>;

  constructor(
    private readonly store: EventStore,
    private readonly adapter: 'sqlite' | 'kurrentdb',
    registry: Registry,
  ) {
    const registers = [registry];
    this.latency = new Histogram({
      name: 'ztkeys_event_store_append_duration_seconds',
      help: 'Time of one atomic append to the event store, by adapter and outcome (ok, conflict, error)',
      labelNames: ['adapter', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.conflicts = new Counter({
      name: 'ztkeys_event_store_conflicts_total',
      help: 'Appends refused for a stale expected revision; the handler retries each (409 after its last attempt)',
      labelNames: ['adapter'],
      registers,
    });
  }

  async append(writes: StreamWrite[], guards?: readonly StreamGuard[]) {
    const stop = this.latency.startTimer({ adapter: this.adapter });
    try {
      const result = await this.store.append(writes, guards);
      stop({ outcome: 'ok' });
      return result;
    } catch (error) {
      const conflict = error instanceof ConcurrencyConflict;
      stop({ outcome: conflict ? 'conflict' : 'error' });
      if (conflict) this.conflicts.inc({ adapter: this.adapter });
      throw error;
    }
  }

  readStream(stream: string, fromRevision?: bigint, options?: ReadStreamOptions) {
    return this.store.readStream(stream, fromRevision, options);
  }

  readAll(after: bigint | undefined, limit: number) {
    return this.store.readAll(after, limit);
  }

  backlog(after: bigint | undefined, cap: number) {
    return this.store.backlog(after, cap);
  }

  headPosition() {
    return this.store.headPosition();
  }

  eventAt(position: bigint) {
    return this.store.eventAt(position);
  }

  subscribeToAll(options: SubscriptionOptions) {
    return this.store.subscribeToAll(options);
  }

  ping() {
    return this.store.ping();
  }

  close() {
    return this.store.close();
  }
}
