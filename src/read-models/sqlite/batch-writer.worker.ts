/**
 * The read models' writer thread (batch-writer.ts): applies each batch it is posted on a
 * connection of its own to the store's file, and answers in turn.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelBatch } from '../read-model-store.port';
import { type BatchWriterAnswer, type BatchWriterData, toWrittenError } from './batch-writer';
import { SqliteReadModelStore } from './sqlite-read-model-store';

const data = workerData as BatchWriterData;
const port = parentPort!;
// The file its caller opened (existing): a folder moved away meanwhile is not made anew.
const store = new SqliteReadModelStore({ path: data.path, eventLogPath: data.eventLogPath, existing: true });
const answer = (message: BatchWriterAnswer): void => port.postMessage(message);

port.on('message', (message: readonly ModelBatch[] | 'close') => {
  if (message === 'close') {
    void store.close().finally(() => port.close());
    return;
  }
  store.applyBatches(message).then(
    (failed) => answer({ failed: [...failed].map(([model, error]) => [model, toWrittenError(error)]) }),
    (error: unknown) => answer({ error: toWrittenError(error) }),
  );
});
