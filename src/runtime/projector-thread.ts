import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReadModelName } from '../../projections/projection';
import type { ProjectionCallbacks, RunningProjections, StartProjections } from './live-projections';

/** What the worker thread is started with. */
export interface ProjectorThreadData {
  eventLogPath: string;
  readModelsPath: string;
  /** How often its caught-up subscription looks for the API's appends (it is another connection: no wake-up reaches it). */
  pollIntervalMs: number;
}

/** What the worker thread tells the projector. */
export type ProjectorThreadMessage =
  | { kind: 'started' }
  | { kind: 'positions'; positions: Array<[ReadModelName, bigint | undefined]> }
  | { kind: 'error'; error: { message: string; stack?: string } }
  | { kind: 'diverged'; model: ReadModelName; reason: string }
  | { kind: 'rebuilt'; model: ReadModelName };

export interface ProjectorThreadOptions {
  eventLogPath: string;
  readModelsPath: string;
  /** Default 5 ms: the lag a read with X-Min-Position waits for, at the cost of one indexed read per tick on the thread. */
  pollIntervalMs?: number;
  /** How long a stop waits for the thread to write what it was delivered before it is terminated. */
  stopTimeoutMs?: number;
}

/** The worker's entry beside this file: .js in dist, .ts when run from source. */
const WORKER_ENTRY = join(__dirname, `projector.worker${extname(__filename)}`);
/** Run from source (the test suites), the thread compiles it with the suites' own SWC hook. */
const FROM_SOURCE = extname(__filename) === '.ts' ? { execArgv: ['--require', join(__dirname, '../../scripts/register-ts.js')] } : {};

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
      let stopping = false;
      const worker = new Worker(WORKER_ENTRY, {
        workerData: { eventLogPath: options.eventLogPath, readModelsPath: options.readModelsPath, pollIntervalMs: options.pollIntervalMs ?? 5 } satisfies ProjectorThreadData,
        ...FROM_SOURCE,
      });
      const exited = new Promise<number>((done) => worker.once('exit', done));
      worker.on('error', (error) => callbacks.onError(error));
      const running: RunningProjections = {
        positionOf: (model) => positions.get(model),
        ended: exited.then((code) => {
          if (!stopping) callbacks.onError(new Error(`the projector thread ended (exit code ${code}); restarting it from the checkpoints`));
        }),
        stop: async () => {
          stopping = true;
          worker.postMessage('stop');
          const timeout = setTimeout(() => void worker.terminate(), options.stopTimeoutMs ?? 30_000);
          await exited;
          clearTimeout(timeout);
        },
      };
      worker.on('message', (message: ProjectorThreadMessage) => handle(message, positions, callbacks, () => resolve(running)));
      // Died before it subscribed: the projector restarts it.
      void exited.then(() => resolve(running));
    });

function handle(message: ProjectorThreadMessage, positions: Map<ReadModelName, bigint | undefined>, callbacks: ProjectionCallbacks, started: () => void): void {
  switch (message.kind) {
    case 'started':
      return started();
    case 'positions':
      for (const [model, position] of message.positions) positions.set(model, position);
      return callbacks.onProgress?.();
    case 'error':
      return callbacks.onError(Object.assign(new Error(message.error.message), { stack: message.error.stack }));
    case 'diverged':
      return callbacks.onDiverged(message.model, message.reason);
    case 'rebuilt':
      return callbacks.onRebuilt(message.model);
    default:
      return message satisfies never;
  }
}
