import { PROJECTIONS } from '../../projections/projections';
import type { Projection, ReadModelName } from '../../projections/projection';
import type { EventStore } from '../event-store/event-store.port';
import type { StalledAtEvent } from '../event-store/stalled-at-event';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../read-models/projection-runner';
import { projectedModels } from '../read-models/projected-models';
import { rebuildReadModels } from '../read-models/rebuild-read-models';
import { changedProjections, versionChangeReason } from '../read-models/projection-versions';
import type { ReadModelStore } from '../read-models/read-model-store.port';

/** How long the generation the log diverged from stays after the rebuilt one is active. */
const REBUILD_GRACE_MS = 2000;

/** What the projector hears from the projections it runs, wherever they run. */
export interface ProjectionCallbacks {
  onError(error: unknown): void;
  /** The log no longer holds the model's checkpoint, or an older version of its projection built it: it is rebuilt from the log (once at a time). */
  onDiverged(model: ReadModelName, reason: string): void;
  /** The rebuild started by onDiverged ended (the rebuilt generation is active, or the rebuild failed and was reported). */
  onRebuilt(model: ReadModelName): void;
  /** The runner waits at an event this release cannot read (said once; it retries it after each pause). */
  onStalled(stall: StalledAtEvent): void;
  /** After each batch is checkpointed. */
  onProgress?(): void;
}

/** The projections while they run: the runner's view of each model, and how to stop them. */
export interface RunningProjections {
  /** Position of the last event applied and checkpointed for the model, as the runner knows it. */
  positionOf(model: ReadModelName): bigint | undefined;
  /** Stops them, writing and checkpointing what was delivered. */
  stop(): Promise<void>;
  /** Settles if they end on their own (a worker thread died): the projector starts them again. */
  readonly ended: Promise<void>;
}

/** Starts the projections of the process (in its own event loop, or on a worker thread). */
export type StartProjections = (callbacks: ProjectionCallbacks) => Promise<RunningProjections>;

/**
 * One runner feeding the read models given (every one the store needs fed by default), and the rebuild of a model whose
 * checkpoint the log no longer holds (the live runner moves to the rebuilt generation when it is
 * activated). Runs in the API's process (networked stores) or on the projector's worker thread.
 */
export class LiveProjections implements RunningProjections {
  readonly ended = new Promise<void>(() => undefined);
  private readonly runner: ProjectionRunner;
  private readonly rebuilds = new Map<ReadModelName, Promise<void>>();
  private readonly projections: Projection[];

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly callbacks: ProjectionCallbacks,
    /** How long a store write may hold the event loop, and how many events it may take: few in the API's process, many on the projector's own thread. */
    private readonly batching: Pick<ProjectionRunnerOptions, 'batchMs' | 'batchSize' | 'firstBatchSize'> = {},
    /** The read models these projections feed (a projector thread's lane, see projectorLanes): every one the store needs fed by default. */
    models?: readonly ReadModelName[],
  ) {
    this.projections = projectedModels(readModels).filter((projection) => !models || models.includes(projection.name));
    this.runner = new ProjectionRunner(events, readModels, this.projections, {
      ...batching,
      onError: (error) => callbacks.onError(error),
      onDiverged: (model, reason) => this.rebuild(PROJECTIONS[model], reason),
      onStalled: (stall) => callbacks.onStalled(stall),
      onProgress: () => callbacks.onProgress?.(),
    });
  }

  /**
   * Resolves once subscribed from the checkpoints. A model an older version of its projection
   * built is rebuilt from the log, as one the log diverged from (a newer one refused the start:
   * refuseNewerProjections): said diverged before the runner subscribes, so that nothing takes
   * it for ready in between.
   */
  async start(): Promise<void> {
    for (const change of await changedProjections(this.readModels, this.projections)) {
      if (change.stored < change.projection.version) this.rebuild(change.projection, versionChangeReason(change));
    }
    await this.runner.start();
  }

  /** The read models these projections feed. */
  get models(): ReadModelName[] {
    return this.projections.map((projection) => projection.name);
  }

  positionOf(model: ReadModelName): bigint | undefined {
    return this.runner.positionOf(model);
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    await Promise.all(this.rebuilds.values());
  }

  private rebuild(projection: Projection, reason: string): void {
    if (this.rebuilds.has(projection.name)) return;
    this.callbacks.onDiverged(projection.name, reason);
    this.callbacks.onError(new Error(`read model ${projection.name}: ${reason}; rebuilding it from the log`));
    const rebuild = rebuildReadModels(this.events, this.readModels, [projection], { graceMs: REBUILD_GRACE_MS, ...this.batching })
      .then(
        () => undefined,
        (error: unknown) => this.callbacks.onError(error),
      )
      .finally(() => {
        this.rebuilds.delete(projection.name);
        this.callbacks.onRebuilt(projection.name);
      });
    this.rebuilds.set(projection.name, rebuild);
  }
}

/** The projections in this process's own event loop. */
export const startInProcess =
  (events: EventStore, readModels: ReadModelStore): StartProjections =>
  async (callbacks) => {
    const live = new LiveProjections(events, readModels, callbacks);
    await live.start();
    return live;
  };
