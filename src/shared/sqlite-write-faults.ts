import Database from 'better-sqlite3';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { assertOpenedFile, BUSY_TIMEOUT_MS } from './sqlite-file';
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
 * Pauses between tries while another connection holds the write lock, after one at the next turn
 * of the event loop: short first (another process's commit holds it about a millisecond), then as
 * SQLite's own busy handler backs off, so a lock held for long (a sqlite3 shell in a transaction)
 * costs each waiting write about 20 tries a second.
 */
const LOCK_RETRY_MS = [1, 1, 2, 5, 10, 25, 50];

/** The file's bytes are not a database's where a statement read them (a restore of a damaged copy): no retry mends it. By code (see isStorageFault). */
function damagedFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(SQLITE_CORRUPT|SQLITE_NOTADB)/.test(code);
}

/**
 * A statement's error as callers should see it where no readiness is kept for the file (a
 * read-only connection): StoreUnavailable naming `store` for a storage fault or a damaged page
 * (503, saying what to do), else itself.
 */
export function storeFaultOf(error: unknown, store: string): unknown {
  if (damagedFile(error)) return new StoreUnavailable(store, `${(error as Error).message}: the file is damaged; put back a whole copy of it (from a backup)`);
  if (error instanceof StoreUnavailable || !isStorageFault(error)) return error;
  return new StoreUnavailable(store, error);
}

/** SQLITE_BUSY and its extended codes: another connection holds the lock. By code (see isStorageFault). */
function lockHeldElsewhere(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * What the readiness probe writes (and gives back) after a storage fault: room for many commands,
 * each a few pages in each index. A one-row probe fit in the pages a full volume still had while
 * every command failed, and readiness said 200.
 */
export const PROBE_ROOM_BYTES = 256 * 1024;

/**
 * Write faults of one embedded store's file. A write that fails for lack of space or an I/O
 * error becomes StoreUnavailable naming the store (503 + Retry-After), the WAL is truncated so a
 * grown one gives its space back, and readiness fails until a probe write of PROBE_ROOM_BYTES
 * goes through: the service resumes by itself once space returns, and a write that still fits
 * in the last free pages does not clear the fault. A file whose path no longer leads to it (its
 * folder moved) takes no write and fails readiness, until it is put back. A damaged page a write
 * meets (SQLITE_CORRUPT: a damaged copy restored) is StoreUnavailable too, and fails readiness until
 * the process restarts on a whole file: it was a 500 with readiness at 200. A write lock held by
 * another connection is waited for on the event loop (writeWhenFree).
 */
export class SqliteWriteFaults {
  private fault: StoreUnavailable | undefined;
  /** A damaged page met by a statement: the file is not ready until it is put back whole (a restart on a whole copy). */
  private damaged: StoreUnavailable | undefined;
  private readonly probe: { take: Database.Statement; giveBack: Database.Statement };

  constructor(
    private readonly db: Database.Database,
    /** How problems name the store, e.g. "the event store (DATA_DIR/events.sqlite)". */
    readonly store: string,
    /** How long writeWhenFree waits for another connection's write lock before StoreUnavailable. */
    private readonly lockWaitMs = BUSY_TIMEOUT_MS,
  ) {
    // write_probe held the one-row probe of releases before 2026-12-08.
    db.exec('DROP TABLE IF EXISTS write_probe; CREATE TABLE IF NOT EXISTS write_probe_room (id INTEGER PRIMARY KEY CHECK (id = 1), room BLOB NOT NULL)');
    this.probe = {
      take: db.prepare('INSERT INTO write_probe_room (id, room) VALUES (1, zeroblob(?)) ON CONFLICT (id) DO UPDATE SET room = excluded.room'),
      giveBack: db.prepare('DELETE FROM write_probe_room'),
    };
  }

  /**
   * Runs a write (`write`'s faults) once the file's write lock is free: at once if it is, else again
   * at the next turn of the event loop and then after LOCK_RETRY_MS, never in SQLite's busy
   * handler, which would sleep the thread and every request on it. `run` is one statement or
   * transaction (none may be open before it): SQLITE_BUSY leaves it undone, and once a transaction
   * holds the lock its statements never wait in WAL mode. After lockWaitMs of waiting,
   * StoreUnavailable (503), nothing written.
   */
  async writeWhenFree<T>(run: () => T): Promise<T> {
    const since = performance.now();
    for (let tries = 0; ; tries++) {
      try {
        return this.write(() => this.withoutBusyWait(run));
      } catch (error) {
        if (!lockHeldElsewhere(error) || this.db.inTransaction) throw error;
        if (performance.now() - since >= this.lockWaitMs) throw new StoreUnavailable(this.store, error);
      }
      await (tries === 0 ? nextTurn() : sleep(LOCK_RETRY_MS[Math.min(tries, LOCK_RETRY_MS.length) - 1]));
    }
  }

  /**
   * The busy handler's wait off for `run`, on again for everything else. Not prepared once: SQLite
   * sets busy_timeout when it compiles the pragma (about 3 µs), so only a fresh one takes effect.
   */
  private withoutBusyWait<T>(run: () => T): T {
    this.db.pragma('busy_timeout = 0');
    try {
      return run();
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Runs a write; a storage fault is recorded and thrown as StoreUnavailable, other errors pass unchanged. */
  write<T>(run: () => T): T {
    try {
      assertOpenedFile(this.db);
      return run();
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** The error as callers should see it: StoreUnavailable for a storage fault or a damaged page (recorded), else itself. */
  classify(error: unknown): unknown {
    if (damagedFile(error)) {
      this.damaged ??= storeFaultOf(error, this.store) as StoreUnavailable;
      return this.damaged;
    }
    if (error instanceof StoreUnavailable || !isStorageFault(error)) return error;
    this.fault = storeFaultOf(error, this.store) as StoreUnavailable;
    this.truncateWal();
    return this.fault;
  }

  /** Readiness: resolves when writes go through; after a storage fault, probes with PROBE_ROOM_BYTES written and given back, and throws the fault while that fails. */
  check(): void {
    try {
      assertOpenedFile(this.db);
    } catch (error) {
      throw this.classify(error);
    }
    if (this.damaged) throw this.damaged;
    if (this.fault === undefined) return;
    this.truncateWal();
    // Committed, so that its pages reach the WAL on disk; given back in a commit of its own.
    this.write(() => this.probe.take.run(PROBE_ROOM_BYTES));
    this.write(() => this.probe.giveBack.run());
    this.fault = undefined;
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
