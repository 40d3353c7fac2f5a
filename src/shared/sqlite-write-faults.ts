import Database from 'better-sqlite3';
import { assertOpenedFile } from './sqlite-file';
import { StoreUnavailable } from './store-unavailable';

/** Faults of the volume under the file (full, read errors, gone), not of the statement: worth retrying later. */
const STORAGE_CODES = /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_READONLY_DBMOVED)/;

export function isStorageFault(error: unknown): boolean {
  // By code, not by class: better-sqlite3's native addon keeps the SqliteError class of the first
  // copy of the module a process loaded, so `instanceof` fails for errors seen through another copy.
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (STORAGE_CODES.test(code) || code === 'ENOSPC');
}

/**
 * Write faults of one embedded store's file. A write that fails for lack of space or an I/O
 * error becomes StoreUnavailable naming the store (503 + Retry-After), the WAL is truncated so a
 * grown one gives its space back, and readiness fails until a probe write goes through again:
 * the service resumes by itself once space returns. A file whose path no longer leads to it (its
 * folder moved) takes no write and fails readiness, until it is put back.
 */
export class SqliteWriteFaults {
  private fault: StoreUnavailable | undefined;
  private readonly probe: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    /** How problems name the store, e.g. "the event store (DATA_DIR/events.sqlite)". */
    readonly store: string,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)');
    this.probe = db.prepare('INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at');
  }

  /** Runs a write; a storage fault is recorded and thrown as StoreUnavailable, other errors pass unchanged. */
  write<T>(run: () => T): T {
    try {
      assertOpenedFile(this.db);
      const result = run();
      this.fault = undefined;
      return result;
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** The error as callers should see it: StoreUnavailable for a storage fault (recorded), else itself. */
  classify(error: unknown): unknown {
    if (error instanceof StoreUnavailable || !isStorageFault(error)) return error;
    this.fault = new StoreUnavailable(this.store, error);
    this.truncateWal();
    return this.fault;
  }

  /** Readiness: resolves when writes go through; after a storage fault, probes with a one-row write and throws the fault while it fails. */
  check(): void {
    try {
      assertOpenedFile(this.db);
    } catch (error) {
      throw this.classify(error);
    }
    if (this.fault === undefined) return;
    this.truncateWal();
    this.write(() => this.probe.run(Date.now()));
  }

  /** Gives the WAL's space back (best effort: readers in other processes may hold it). */
  private truncateWal(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // The next check tries again.
    }
  }
}
