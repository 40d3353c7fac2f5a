import { PROJECTIONS } from '../../projections/projections';
import { READ_MODEL_NAMES, type Projection, type ReadModelName } from '../../projections/projection';
import type { EventStore } from '../event-store/event-store.port';
import type { Lease } from '../leases/lease.port';
import type { SubscriberLag } from '../metrics/subscriber-lag';
import { ProjectionRunner } from '../read-models/projection-runner';
import { rebuildReadModels } from '../read-models/rebuild-read-models';
import type { ReadModelStore } from '../read-models/read-model-store.port';

/** How long the generation the log diverged from stays after the rebuilt one is active. */
const REBUILD_GRACE_MS = 2000;

/**
 * The projector role: one runner feeding every projection, but only while this process holds the lease,
 * so that one copy projects and the others wait as hot standbys. When the lease is lost (another
 * copy took it, or it could not be renewed) the runner stops and the process waits its turn
 * again; the next holder resumes from the checkpoints.
 *
 * A read model whose checkpoint the log no longer holds (restored or truncated log) is rebuilt
 * from the log into a new generation; until it is active, readiness fails naming it.
 */
export class Projector {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** Read models being rebuilt because the log diverged from their checkpoint, with the reason. */
  private readonly diverged = new Map<ReadModelName, string>();
  private readonly rebuilds = new Set<Promise<void>>();

  /** Readiness: fails while a read model is rebuilt after the log diverged from it. */
  readonly readiness = {
    name: 'projections',
    ping: async (): Promise<boolean> => {
      if (this.diverged.size === 0) return true;
      throw new Error([...this.diverged].map(([model, reason]) => `read model ${model}: ${reason}; rebuilding it from the log`).join('; '));
    },
  };

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
    await Promise.all(this.rebuilds);
  }

  private async run(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!this.stopping.signal.aborted) {
      const held = await this.lease.acquire(this.stopping.signal);
      const runner = new ProjectionRunner(this.events, this.readModels, Object.values(PROJECTIONS), {
        onError: this.onError,
        onDiverged: (model, reason) => this.rebuild(PROJECTIONS[model], reason),
      });
      const unfollow = READ_MODEL_NAMES.map((model) => this.lag?.follow(`projection:${model}`, () => runner.positionOf(model)));
      try {
        await runner.start();
        await Promise.race([held.lost, stopped]);
      } finally {
        await runner.stop();
        for (const stop of unfollow) stop?.();
        await held.release();
      }
    }
  }

  /** Once per model at a time; the live runner moves to the rebuilt generation when it is activated. */
  private rebuild(projection: Projection, reason: string): void {
    if (this.diverged.has(projection.name)) return;
    this.diverged.set(projection.name, reason);
    this.onError(new Error(`read model ${projection.name}: ${reason}; rebuilding it from the log`));
    const rebuild = rebuildReadModels(this.events, this.readModels, [projection], { graceMs: REBUILD_GRACE_MS })
      .then(
        () => undefined,
        (error: unknown) => this.onError(error),
      )
      .finally(() => {
        this.diverged.delete(projection.name);
        this.rebuilds.delete(rebuild);
      });
    this.rebuilds.add(rebuild);
  }
}
