import { PROJECTIONS } from '../../projections/projections';
import type { EventStore } from '../event-store/event-store.port';
import type { Lease } from '../leases/lease.port';
import type { SubscriberLag } from '../metrics/subscriber-lag';
import { ProjectionRunner } from '../read-models/projection-runner';
import type { ReadModelStore } from '../read-models/read-model-store.port';

/**
 * The projector role: every projection's runner, but only while this process holds the lease,
 * so that one copy projects and the others wait as hot standbys. When the lease is lost (another
 * copy took it, or it could not be renewed) the runners stop and the process waits its turn
 * again; the next holder resumes from the checkpoints.
 */
export class Projector {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly lease: Lease,
    private readonly onError: (error: unknown) => void,
    private readonly lag?: SubscriberLag,
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
    while (!this.stopping.signal.aborted) {
      const held = await this.lease.acquire(this.stopping.signal);
      const runners = Object.values(PROJECTIONS).map(
        (projection) => new ProjectionRunner(this.events, this.readModels, projection, { onError: this.onError }),
      );
      const unfollow = runners.map((runner) => this.lag?.follow(`projection:${runner.name}`, () => runner.position));
      try {
        await Promise.all(runners.map((runner) => runner.start()));
        await Promise.race([held.lost, stopped]);
      } finally {
        await Promise.all(runners.map((runner) => runner.stop()));
        for (const stop of unfollow) stop?.();
        await held.release();
      }
    }
  }
}
