import { Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS } from '../../shared/sqlite-file';
import { WORKER_FROM_SOURCE } from '../../shared/worker-from-source';

/**
 * The worker's code, plain JavaScript so that it runs the same from dist and under ts-jest: it
 * opens the file on a connection of its own (never making one: a folder moved away under the
 * server gets none) and runs the statements in one IMMEDIATE transaction.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
require(workerData.background).runInBackground();
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.timeoutMs });
try {
  db.transaction(() => { for (const sql of workerData.statements) db.exec(sql); }).immediate();
} finally {
  db.close();
}`;

/**
 * Runs long SQL statements (index builds) on a worker thread below the API's priority: the event
 * loop of the caller keeps serving meanwhile, its readers see the file as before (WAL), and the
 * statements commit together.
 */
export function execInWorker(path: string, statements: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), background: require.resolve('../../shared/background-priority'), path, timeoutMs: BUSY_TIMEOUT_MS, statements },
      ...WORKER_FROM_SOURCE,
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`index build worker exited with code ${code}`))));
  });
}
