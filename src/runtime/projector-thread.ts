import type { ReadModelName } from '../../projections/projection';
import type { StalledAtEvent } from '../event-store/stalled-at-event';
import { OWN_LOOP_BATCHES, type ProjectionRunnerOptions } from '../read-models/projection-runner';
import type { ProjectionCallbacks, RunningProjections, StartProjections } from './live-projections';
import { fromThreadError, startThread, type ThreadFailure } from './worker-thread';

/** What the worker thread is started with. */
export interface ProjectorThreadData {
  eventLogPath: string;
  readModelsPath: string;
  batching: ProjectorBatching;
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
  /** OWN_LOOP_BATCHES by default: nothing else runs on the thread's event loop. */
  batching?: ProjectorBatching;
  /** How long a stop waits for the thread to write what it was delivered before it is terminated. */
  stopTimeoutMs?: number;
}

/**
 * The embedded process's projections on a worker thread: the thread opens the log and the
 * read-model file on connections of its own (WAL: the API's connections read beside it), so a
 * catch-up of a million events never holds the API's event loop. The thread checkpoints as the
 * runner always does; killed at any point, the next start resumes from the checkpoints.
 */
export const startOnThread =
  (options: ProjectorThreadOptions): StartProjections =>
  (callbacks) =>
    new Promise<RunningProjections>((resolve) => {
      const positions = new Map<ReadModelName, bigint | undefined>();
      const data: ProjectorThreadData = { eventLogPath: options.eventLogPath, readModelsPath: options.readModelsPath, batching: options.batching ?? OWN_LOOP_BATCHES };
      const thread = startThread<ProjectorThreadMessage>('projector.worker', data, {
        onMessage: (message) => handle(message, positions, callbacks, () => resolve(running)),
        onError: (error) => callbacks.onError(error),
      });
      const running: RunningProjections = {
        positionOf: (model) => positions.get(model),
        ended: thread.exited.then((code) => {
          if (!thread.stopping) callbacks.onError(new Error(`the projector thread ended (exit code ${code}); restarting it from the checkpoints`));
        }),
        stop: () => thread.stop(options.stopTimeoutMs ?? 30_000),
      };
      // Died before it subscribed: the projector restarts it.
      void thread.exited.then(() => resolve(running));
    });

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
