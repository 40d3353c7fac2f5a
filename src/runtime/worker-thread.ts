import { extname, join } from 'node:path';
import { parentPort, Worker, type ResourceLimits } from 'node:worker_threads';
import { WORKER_FROM_SOURCE } from '../shared/worker-from-source';

/** An error as it crosses the thread boundary: a clone would lose its class, so its name is kept beside its message and stack. */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string;
}

/** What every worker thread may tell its parent: it failed (to start, or at its work). */
export interface ThreadFailure {
  kind: 'error';
  error: ThreadError;
}

export const toThreadError = (error: unknown): ThreadError =>
  error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: 'Error', message: String(error) };

export const fromThreadError = ({ name, message, stack }: ThreadError): Error => Object.assign(new Error(message), { name, stack });

/** A worker thread started by startThread. */
export interface StartedThread {
  /** Settles with the exit code when the thread ends, stopped or not. */
  readonly exited: Promise<number>;
  /** True once stop() was called: an exit after it is the one asked for. */
  readonly stopping: boolean;
  /** Tells the thread to stop and waits for it to end; terminated if it has not after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Starts the worker entry `name` of this folder (.js in dist, .ts from source) with `workerData`
 * (and the thread's V8 heap limits, if any); each message it posts goes to `onMessage`, a thread
 * error to `onError`. The entry runs serveThread, which stops at the first message the parent posts.
 */
export function startThread<M>(
  name: string,
  workerData: unknown,
  handlers: { onMessage(message: M): void; onError(error: Error): void },
  resourceLimits?: ResourceLimits,
): StartedThread {
  const worker = new Worker(join(__dirname, `${name}${extname(__filename)}`), { workerData, resourceLimits, ...WORKER_FROM_SOURCE });
  const exited = new Promise<number>((done) => worker.once('exit', done));
  worker.on('error', handlers.onError);
  worker.on('message', handlers.onMessage);
  let stopping = false;
  return {
    exited,
    get stopping() {
      return stopping;
    },
    stop: async (timeoutMs) => {
      stopping = true;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), timeoutMs);
      await exited;
      clearTimeout(timeout);
    },
  };
}

/**
 * The body of a worker thread started by startThread: `start` gets the function that posts to
 * the parent and returns how to stop; that runs at the parent's stop message, then the port
 * closes and the thread ends. A start that fails is reported and ends the thread (exit code 1).
 */
export function serveThread<M>(start: (post: (message: M | ThreadFailure) => void) => Promise<() => Promise<void>>): void {
  if (!parentPort) throw new Error('this module runs on a worker thread');
  const port = parentPort;
  const post = (message: M | ThreadFailure): void => port.postMessage(message);
  const fail = (error: unknown): void => post({ kind: 'error', error: toThreadError(error) });
  start(post).then(
    (stop) =>
      port.once('message', () => {
        void stop()
          .catch(fail)
          .finally(() => port.close());
      }),
    (error: unknown) => {
      fail(error);
      process.exit(1);
    },
  );
}
