import { Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS, PAGE_CACHE_KIB } from '../../shared/sqlite-file';
import { WORKER_FROM_SOURCE } from '../../shared/worker-from-source';
import type { DocumentsReducer } from '../read-model-store.port';

/** One SELECT of documents (the `document` column) with its bindings; null reads nothing (an empty `in`). */
export type DocumentsRead = { sql: string; bindings: ReadonlyArray<string | number | null> } | null;

/** What the worker posts for each request, in the order they came: the JSON's bytes, or the error as it was thrown there. */
type Answer = { json: Uint8Array } | { error: { name?: string; message: string; code?: unknown; stack?: string } };

/**
 * The worker's code, plain JavaScript so that it runs the same from dist and under ts-jest. It
 * opens the file read-only (never creating it) on a connection of its own at its first request,
 * and again after one it could not open with; for each request, runs its reads in one read
 * transaction, gives their documents to the reducer (reduce-documents.ts) and posts the JSON as
 * bytes, moved to the caller, not copied. Requests come and are answered one at a time, in order.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { reducedJson } = require(workerData.reduce);
let db;
parentPort.on('message', (request) => {
  if (request === 'close') {
    db?.close();
    parentPort.close();
    return;
  }
  try {
    if (!db) {
      db = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: workerData.timeoutMs });
      db.pragma('cache_size = -' + workerData.cacheKib);
    }
    const documents = db.transaction(() =>
      request.reads.map((read) => (read ? db.prepare(read.sql).pluck().all(...read.bindings).map((document) => JSON.parse(document)) : [])),
    )();
    const json = new TextEncoder().encode(reducedJson(request.reducer, documents));
    parentPort.postMessage({ json }, [json.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: { name: error?.name, message: String(error?.message ?? error), code: error?.code, stack: error?.stack } });
  }
});`;

interface Pending {
  resolve(json: Buffer): void;
  reject(error: unknown): void;
}

/**
 * One long-lived thread that reads a store's file and reduces what it reads to JSON
 * (ReadModelStore.reduceJson): started at the first request, it serves every later one in turn,
 * so concurrent large reads cost one thread, not one each (issue 14), and none pays a thread's
 * start. What a request allocated is garbage once answered. It keeps the process alive only while
 * it has requests to answer; a thread that dies fails those and the next request starts another.
 */
export class ReadsWorker {
  private worker: Worker | undefined;
  /** Requests sent and not answered yet, oldest first: the worker answers in that order. */
  private readonly pending: Pending[] = [];

  constructor(private readonly path: string) {}

  reduce(reads: readonly DocumentsRead[], reducer: DocumentsReducer): Promise<Buffer> {
    const worker = (this.worker ??= this.start());
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      worker.ref();
      worker.postMessage({ reads, reducer });
    });
  }

  /** Ends the thread once it has answered what it was asked (the store is closing). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    // Idle, it is unref'd: the caller waiting for it to end must keep the process alive meanwhile.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
        reduce: require.resolve('../reduce-documents'),
        path: this.path,
        timeoutMs: BUSY_TIMEOUT_MS,
        cacheKib: PAGE_CACHE_KIB,
      },
      ...WORKER_FROM_SOURCE,
    });
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const request = this.pending.shift()!;
      if (this.pending.length === 0) worker.unref();
      if ('json' in answer) request.resolve(Buffer.from(answer.json.buffer, answer.json.byteOffset, answer.json.byteLength));
      // As it was thrown there, SQLite's code with it: a storage fault is answered 503 as on the caller's thread.
      else request.reject(Object.assign(new Error(answer.error.message), answer.error));
    });
    const ended = (error: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const request of this.pending.splice(0)) request.reject(error);
    };
    worker.once('error', ended);
    worker.once('exit', (code) => ended(new Error(`the read models' reads worker exited with code ${code}`)));
    return worker;
  }
}
