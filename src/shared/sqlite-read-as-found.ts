import Database from 'better-sqlite3';

/**
 * What `read` finds in the SQLite file at `path`, for a check that must leave the folder as found
 * (a start refused before it writes anything), or nothing when SQLite cannot read the file.
 * Read-write: a read-only connection to a WAL file makes its `-wal` and `-shm` files and, unable
 * to remove them, leaves them behind; the last read-write connection removes them at its close.
 */
export function readSqliteAsFound<T>(path: string, read: (db: Database.Database) => T): T | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    return read(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
