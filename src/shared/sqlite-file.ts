import Database from 'better-sqlite3';
import { basename, dirname } from 'node:path';
import { markDataFormat } from './data-format';
import { OpenedPath } from './opened-path';
import { createPrivateFile, makePrivateDir } from './private-files';
import { StartupError } from './startup-error';

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
 * acknowledged append survives power loss); NORMAL suits what can be rebuilt or replayed. With
 * `existing`, the file must be there (a worker thread's connection to a file its process opened
 * at start): neither it nor its folder is made, so a DATA_DIR moved away is not made anew at its
 * path (see assertOpenedFile), the open fails instead. A file a newer release wrote is refused,
 * and one of an older release marked as this release's (markDataFormat).
 */
export function openSqliteFile(path: string, synchronous: 'FULL' | 'NORMAL', existing = false): Database.Database {
  if (!existing) {
    makePrivateDir(dirname(path));
    createPrivateFile(path);
  }
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: existing });
  openedFiles.set(db, new OpenedPath(path));
  try {
    db.pragma('journal_mode = WAL');
  } catch (error) {
    db.close();
    throw damagedSqliteFile(path, error) ?? error;
  }
  try {
    // Before the store creates or upgrades anything in it.
    markDataFormat(db);
  } catch (error) {
    db.close();
    throw error;
  }
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  boundPageCache(db);
  return db;
}

/** Stores the server rebuilds from the event log when they are gone. */
const REBUILT_FROM_THE_LOG = new Set(['read-models.sqlite', 'merkle-nodes.sqlite']);

/**
 * A file SQLite cannot read as a database (a restore from a copy cut short, bytes overwritten): a
 * start that cannot succeed, said in one line naming the file and what to do, not SQLite's
 * "database disk image is malformed" with a stack and no file named.
 */
export function damagedSqliteFile(path: string, error: unknown): StartupError | undefined {
  const code = (error as { code?: unknown }).code;
  if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB') return undefined;
  const remedy = REBUILT_FROM_THE_LOG.has(basename(path)) ? ', or remove it: it is rebuilt from the event log' : '';
  return new StartupError(
    `${path} is not a whole SQLite database (${(error as Error).message}): cut short or damaged, as by a copy interrupted; put back a whole copy of it (from a backup)${remedy}`,
    { cause: error },
  );
}

/** The file each connection opened: what its path must still lead to. */
const openedFiles = new WeakMap<Database.Database, OpenedPath>();

/**
 * Throws, with SQLite's own code for it (a storage fault: 503, not ready), when the connection's
 * path no longer leads to the file it opened: its folder (DATA_DIR) was moved, removed or replaced
 * while the process runs. The open file would answer on and take writes no path leads to, which
 * the next start, opening the path, would not find: acknowledged, then lost. A stat (~3 µs) per
 * write transaction, not per row: a commit batch of the event log, a projection batch.
 */
export function assertOpenedFile(db: Database.Database): void {
  if (openedFiles.get(db)?.leadsToOpened() ?? true) return;
  throw Object.assign(
    new Error(`${db.name} is not the file this server opened (its folder was moved, removed or replaced while the server runs): put the folder back, or restart the server`),
    { code: 'SQLITE_READONLY_DBMOVED' },
  );
}

/** Readiness of an embedded store: the file answers a query; throws the reason when its path no longer leads to it. */
export function sqliteAnswers(db: Database.Database): boolean {
  assertOpenedFile(db);
  try {
    db.prepare('SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}
