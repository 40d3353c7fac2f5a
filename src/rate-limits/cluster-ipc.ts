import type { Worker } from 'node:cluster';

/** Whether an IPC message is one of `channel`'s: the cluster's own and each protocol's are told apart by it. */
export const onChannel =
  (channel: string) =>
  (message: unknown): boolean =>
    typeof message === 'object' && message !== null && (message as { channel?: unknown }).channel === channel;

// With a callback a closed channel is not an 'error' event: a worker gone takes its counts with it
// (its exit gives its places back), and a primary gone takes its workers (node:cluster exits them).

/** Sends a worker's message to the cluster's primary. */
export const sendToPrimary = (message: object): void => void process.send!(message, undefined, {}, () => undefined);

/** Sends the primary's answer to `worker`. */
export const sendToWorker = (worker: Worker, message: object): void => void worker.send(message, undefined, {}, () => undefined);
