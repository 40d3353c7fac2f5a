import type { ReadModelName } from '../../projections/projection';
import { describeStall, type StalledAtEvent } from '../event-store/stalled-at-event';
import type { Lease } from '../leases/lease.port';
import type { SubscriberLag } from '../metrics/subscriber-lag';
import { BACKOFF, backoffDelay } from '../shared/backoff';
import type { RunningProjections, StartProjections } from './live-projections';

/**
 * The projector role: one runner feeding every projection, but only while this process holds the lease,
 * so that one copy projects and the others wait as hot standbys. When the lease is lost (another
 * copy took it, or it could not be renewed) the runner stops and the process waits its turn
 * again; the next holder resumes from the checkpoints. Projections that end on their own (their
 * worker thread died) are started again after a pause, from the checkpoints.
 *
 * A read model whose checkpoint the log no longer holds (restored or truncated log) is rebuilt
 * from the log into a new generation; until it is active, readiness fails naming it.
 *
 * An event this release cannot read (a newer one wrote it) stalls the runner there: readiness
 * fails naming it until the runner stops (the lease went to another copy, a newer release
 * that reads it) or the process is replaced by such a release.
 */
export class Projector {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** Read models being rebuilt because the log diverged from their checkpoint, with the reason. */
  private readonly diverged = new Map<ReadModelName, string>();
  /** The event the running projections wait at, which this release cannot read. */
  private stall: StalledAtEvent | undefined;

  /** Readiness: fails while a read model is rebuilt after the log diverged from it, or while the projections wait at an event this release cannot read. */
  readonly readiness = {
    name: 'projections',
    ping: async (): Promise<boolean> => {
      const reasons = [...this.diverged].map(([model, reason]) => `read model ${model}: ${reason}; rebuilding it from the log`);
      if (this.stall) reasons.push(describeStall('projector', this.stall));
      if (reasons.length === 0) return true;
      throw new Error(reasons.join('; '));
    },
  };

  /** Whether the projections wait at an event this release cannot read. */
  get stalled(): boolean {
    return this.stall !== undefined;
  }

  constructor(
    /** The read models the runner feeds (projectedModels): their positions are the runner's lag. */
    private readonly models: readonly ReadModelName[],
    private readonly startProjections: StartProjections,
    private readonly lease: Lease,
    private readonly onError: (error: unknown) => void,
    private readonly lag?: SubscriberLag,
    /** The projections began to wait at an event this release cannot read (said once per run of them). */
    private readonly onStalled?: (stall: StalledAtEvent) => void,
  ) {}

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      if (!this.stopping.signal.aborted) this.onError(error);
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('projector stopping'));
    await this.loop;
  }

  private async run(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    let endings = 0;
    while (!this.stopping.signal.aborted) {
      const held = await this.lease.acquire(this.stopping.signal);
      let running: RunningProjections | undefined;
      const unfollow = this.models.map((model) => this.lag?.follow(`projection:${model}`, () => running?.positionOf(model)));
      let outcome: 'lost' | 'stopped' | 'ended' = 'stopped';
      try {
        running = await this.startProjections({
          onError: this.onError,
          onDiverged: (model, reason) => this.diverged.set(model, reason),
          onRebuilt: (model) => this.diverged.delete(model),
          onStalled: (stall) => {
            this.stall = stall;
            this.onStalled?.(stall);
          },
        });
        outcome = await Promise.race([held.lost.then(() => 'lost' as const), stopped.then(() => 'stopped' as const), running.ended.then(() => 'ended' as const)]);
      } finally {
        await running?.stop();
        // Whoever runs them next (this process again, or a copy holding the lease) says its own stall.
        this.stall = undefined;
        for (const stop of unfollow) stop?.();
        await held.release();
      }
      if (outcome !== 'ended') continue;
      // Died on their own: a rebuild they ran died with them, and comes back with the restart.
      this.diverged.clear();
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(endings++, BACKOFF.projection)));
    }
  }
}
