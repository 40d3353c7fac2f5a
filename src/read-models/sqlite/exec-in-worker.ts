import { Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS } from '../../shared/sqlite-file';
import { WORKER_FROM_SOURCE } from '../../shared/worker-from-source';
import type { DocumentsReducer } from '../read-model-store.port';

/** One SELECT of documents (the `document` column) with its bindings; null reads nothing (an empty `in`). */
export type DocumentsRead = { sql: string; bindings: ReadonlyArray<string | number | null> } | null;

/**
 * The worker's code, plain JavaScript so that it runs the same from dist and under ts-jest: it
 * opens the file on a connection of its own and either runs the statements in one IMMEDIATE
 * transaction, or runs the reads in one read transaction, gives their documents to the reducer
 * (reduce-documents.ts) and posts the JSON it makes as bytes, moved to the caller, not copied.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: workerData.timeoutMs });
try {
  if (workerData.statements) db.transaction(() => { for (const sql of workerData.statements) db.exec(sql); }).immediate();
  else {
    const documents = db.transaction(() =>
      workerData.reads.map((read) => (read ? db.prepare(read.sql).pluck().all(...read.bindings).map((document) => JSON.parse(document)) : [])),
    )();
    const json = new TextEncoder().encode(require(workerData.reduce).reducedJson(workerData.reducer, documents));
    parentPort.postMessage(json, [json.buffer]);
  }
} finally {
  db.close();
}`;

/** Runs the worker on `work` and settles when it has ended: with what it posted, if anything. */
function inWorker(path: string, work: object, what: string): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), path, timeoutMs: BUSY_TIMEOUT_MS, ...work },
      ...WORKER_FROM_SOURCE,
    });
    let posted: Uint8Array | undefined;
    worker.once('message', (message: Uint8Array) => (posted = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve(posted) : reject(new Error(`${what} worker exited with code ${code}`))));
  });
}

/**
 * Runs long SQL statements (index builds) on a worker thread: the event loop of the caller keeps
 * serving meanwhile, its readers see the file as before (WAL), and the statements commit together.
 */
export async function execInWorker(path: string, statements: readonly string[]): Promise<void> {
  await inWorker(path, { statements }, 'index build');
}

/**
 * Reads documents and reduces them to JSON on a worker thread (ReadModelStore.reduceJson): the
 * reads, the parse of every document, the function and the JSON hold that thread, not the
 * caller's event loop, which gets the bytes; what they allocated goes with the thread.
 */
export async function reduceInWorker(path: string, reads: readonly DocumentsRead[], reducer: DocumentsReducer): Promise<Buffer> {
  const json = (await inWorker(path, { reads, reducer, reduce: require.resolve('../reduce-documents') }, 'read'))!;
  return Buffer.from(json.buffer, json.byteOffset, json.byteLength);
}
