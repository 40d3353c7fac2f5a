import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { createPrivateFile, makePrivateDir } from './private-files';

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;
/** A checkpoint that empties the WAL cuts the file back to this, so a burst (or a full disk) does not keep it grown. */
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Pages each connection keeps, in KiB: SQLite's own default. better-sqlite3 builds SQLite with
 * 16,000 KiB a connection, and an embedded server holds ten connections over its three threads,
 * most of them reading the log once through (catch-ups, the self-check, exports): their caches
 * filled with pages the OS keeps cached anyway and stayed resident (a server that had caught up
 * with 100,000 events held 237 MiB, 175 with this; the catch-up was no slower).
 */
export const PAGE_CACHE_KIB = 2000;

/**
 * A LIMIT whose value is bound at each run. SQLite (3.53) plans with the value of a bare `LIMIT ?`,
 * so binding it marks the statement to be prepared again at its next run (~8 µs of a 15 µs read
 * of the log's head, the idle poll of every subscription). A unary plus makes it an expression the
 * planner does not read; the rows are the same.
 */
export const LIMIT_PARAMETER = 'LIMIT +?';

/** Bounds a connection's page cache (see PAGE_CACHE_KIB): every connection the server keeps open on its files has it. */
export function boundPageCache(db: Database.Database): void {
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
}

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
  boundPageCache(db);
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
