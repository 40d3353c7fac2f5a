import type { ReadModelName } from '../../projections/projection';
import type { StalledAtEvent } from '../event-store/stalled-at-event';
import { OWN_LOOP_BATCHES, type ProjectionRunnerOptions } from '../read-models/projection-runner';
import type { ProjectionCallbacks, RunningProjections, StartProjections } from './live-projections';
import { fromThreadError, startThread, type StartedThread, type ThreadFailure } from './worker-thread';

/** What a worker thread is started with. */
export interface ProjectorThreadData {
  eventLogPath: string;
  readModelsPath: string;
  batching: ProjectorBatching;
  /** The read models this thread feeds (its lane); every one the store needs fed when undefined. */
  models: readonly ReadModelName[] | undefined;
}

/** How long the thread's batches are. */
export type ProjectorBatching = Pick<ProjectionRunnerOptions, 'batchMs' | 'batchSize' | 'firstBatchSize'>;

/** What the worker thread tells the projector. */
export type ProjectorThreadMessage =
  | { kind: 'started' }
  | { kind: 'positions'; positions: Array<[ReadModelName, bigint | undefined]> }
  | ThreadFailure
  | { kind: 'diverged'; model: ReadModelName; reason: string }
  | { kind: 'rebuilt'; model: ReadModelName }
  | { kind: 'stalled'; stall: StalledAtEvent };

export interface ProjectorThreadOptions {
  eventLogPath: string;
  readModelsPath: string;
  /**
   * The read models of each thread (projectorLanes): one thread a lane, each reading the log for its
   * own models and writing them on its own connections. One thread feeding every model by default.
   */
  lanes?: ReadonlyArray<readonly ReadModelName[]>;
  /** OWN_LOOP_BATCHES by default: nothing else runs on the thread's event loop. */
  batching?: ProjectorBatching;
  /** How long a stop waits for the thread to write what it was delivered before it is terminated. */
  stopTimeoutMs?: number;
}

/**
 * The embedded process's projections on worker threads, one a lane: each thread opens the log and
 * the read-model file on connections of its own (WAL: the API's connections read beside it), so a
 * catch-up of a million events never holds the API's event loop, and lanes on two threads use two
 * cores (their writes to the one file take turns). Each thread checkpoints as the runner always
 * does; killed at any point, the next start resumes from the checkpoints. One thread that ends on
 * its own ends them all, so that the projector starts them again together.
 */
export const startOnThread =
  (options: ProjectorThreadOptions): StartProjections =>
  async (callbacks) => {
    const positions = new Map<ReadModelName, bigint | undefined>();
    const batching = options.batching ?? OWN_LOOP_BATCHES;
    // Lanes that read the same unreadable event each stall at it: said once.
    const stalledAt = new Set<string>();
    const laneCallbacks: ProjectionCallbacks = {
      ...callbacks,
      onStalled: (stall) => {
        if (stalledAt.has(stall.eventId)) return;
        stalledAt.add(stall.eventId);
        callbacks.onStalled(stall);
      },
    };
    const threads = (options.lanes ?? [undefined]).map((models) => startLane({ eventLogPath: options.eventLogPath, readModelsPath: options.readModelsPath, batching, models }, positions, laneCallbacks));
    // Each thread started, or died before it subscribed (the projector then restarts them all).
    await Promise.all(threads.map(({ started }) => started));
    const ended = Promise.race(threads.map(({ thread }) => thread.exited.then((code) => ({ code, stopping: thread.stopping }))));
    return {
      positionOf: (model) => positions.get(model),
      ended: ended.then(({ code, stopping }) => {
        if (!stopping) callbacks.onError(new Error(`the projector thread ended (exit code ${code}); restarting it from the checkpoints`));
      }),
      stop: async () => {
        await Promise.all(threads.map(({ thread }) => thread.stop(options.stopTimeoutMs ?? 30_000)));
      },
    };
  };

/** One lane's thread; `started` settles once it subscribed or ended. */
function startLane(data: ProjectorThreadData, positions: Map<ReadModelName, bigint | undefined>, callbacks: ProjectionCallbacks): { thread: StartedThread; started: Promise<void> } {
  let subscribed: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (subscribed = resolve));
  const thread = startThread<ProjectorThreadMessage>('projector.worker', data, {
    onMessage: (message) => handle(message, positions, callbacks, subscribed),
    onError: (error) => callbacks.onError(error),
  });
  void thread.exited.then(() => subscribed());
  return { thread, started };
}

function handle(message: ProjectorThreadMessage, positions: Map<ReadModelName, bigint | undefined>, callbacks: ProjectionCallbacks, started: () => void): void {
  switch (message.kind) {
    case 'started':
      return started();
    case 'positions':
      for (const [model, position] of message.positions) positions.set(model, position);
      return callbacks.onProgress?.();
    case 'error':
      return callbacks.onError(fromThreadError(message.error));
    case 'diverged':
      return callbacks.onDiverged(message.model, message.reason);
    case 'rebuilt':
      return callbacks.onRebuilt(message.model);
    case 'stalled':
      return callbacks.onStalled(message.stall);
    default:
      return message satisfies never;
  }
}
