import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Opens the embedded email store. WAL lets the notifier, the in-process worker and any worker
 * process on the same machine read while one writes; the busy timeout makes writers queue up
 * instead of failing with SQLITE_BUSY.
 */
export function openSqlite(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  return db;
}
