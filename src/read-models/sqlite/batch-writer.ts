import { Worker } from 'node:worker_threads';
import { extname, join } from 'node:path';
import type { ReadModelName } from '../../../projections/projection';
import { WORKER_FROM_SOURCE } from '../../shared/worker-from-source';
import type { ModelBatch } from '../read-model-store.port';

/** What the writer thread is started with: the store it opens on a connection of its own. */
export interface BatchWriterData {
  path: string;
  eventLogPath?: string;
}

/** An error as it crosses to the caller's thread: its SQLite code kept, so a store fault still reads as one. */
export interface WrittenError {
  name?: string;
  message: string;
  code?: unknown;
  stack?: string;
}

/** What the thread posts for each write, in the order they came: the models whose batch failed by itself, or the fault that failed them all. */
export type BatchWriterAnswer = { failed: Array<[ReadModelName, WrittenError]> } | { error: WrittenError };

export const toWrittenError = (error: unknown): WrittenError => {
  const { name, message, code, stack } = (error ?? {}) as Partial<WrittenError>;
  return { name, message: typeof message === 'string' ? message : String(error), code, stack };
};

const fromWrittenError = (error: WrittenError): Error => Object.assign(new Error(error.message), error);

interface Pending {
  resolve(failed: Map<ReadModelName, unknown>): void;
  reject(error: unknown): void;
}

/**
 * The thread a store's applyBatches runs on (SqliteReadModelStore's writerThread): a catch-up's
 * reader projects its next batch while this thread reads, writes and commits the one before.
 * Batches cross as structured clones, and are written one at a time in the order they came,
 * each in one transaction as on the caller's thread. Started at the first write; a thread that
 * dies fails the writes it had, and the next write starts another.
 */
export class BatchWriter {
  private worker: Worker | undefined;
  /** Writes sent and not answered yet, oldest first. */
  private readonly pending: Pending[] = [];

  constructor(private readonly data: BatchWriterData) {}

  apply(batches: readonly ModelBatch[]): Promise<Map<ReadModelName, unknown>> {
    const worker = (this.worker ??= this.start());
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      worker.ref();
      worker.postMessage(batches);
    });
  }

  /** Ends the thread once it has written what it was given. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private start(): Worker {
    const worker = new Worker(join(__dirname, `batch-writer.worker${extname(__filename)}`), { workerData: this.data, ...WORKER_FROM_SOURCE });
    worker.unref();
    worker.on('message', (answer: BatchWriterAnswer) => {
      const write = this.pending.shift()!;
      if (this.pending.length === 0) worker.unref();
      if ('error' in answer) write.reject(fromWrittenError(answer.error));
      else write.resolve(new Map(answer.failed.map(([model, error]) => [model, fromWrittenError(error)])));
    });
    const ended = (error: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const write of this.pending.splice(0)) write.reject(error);
    };
    worker.once('error', ended);
    worker.once('exit', (code) => ended(new Error(`the read models' writer thread exited with code ${code}`)));
    return worker;
  }
}
