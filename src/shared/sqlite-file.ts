import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { createPrivateFile, makePrivateDir } from './private-files';

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;
/** A checkpoint that empties the WAL cuts the file back to this, so a burst (or a full disk) does not keep it grown. */
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Opens an embedded store's SQLite file as every one of them needs it when several processes
 * share it (the API, a projector, workers): WAL, so readers run beside the writer, and a busy
 * timeout, so writers queue instead of failing. FULL fsyncs every commit (the event log: an
 * acknowledged append survives power loss); NORMAL suits what can be rebuilt or replayed.
 */
export function openSqliteFile(path: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  makePrivateDir(dirname(path));
  createPrivateFile(path);
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return db;
}

/** Readiness of an embedded store: the file answers a query. */
export function sqliteAnswers(db: Database.Database): boolean {
  try {
    db.prepare('SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}
