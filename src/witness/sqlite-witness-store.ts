import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openSqliteFile } from '../shared/sqlite-file';
import type { WitnessedCheckpoint } from './add-checkpoint';

/** The witness's file in its data folder. */
export const WITNESS_DB_FILE = 'witness.sqlite';

/**
 * The latest checkpoint cosigned per origin, in SQLite (WAL, synchronous FULL: a cosignature
 * answered is a promise never to cosign a fork of it). `update` reads the origin's row, decides and
 * writes in one IMMEDIATE transaction, so two add-checkpoint for one origin, in one process or
 * several on the same file, are decided one after the other: the second sees the first's size.
 */
export class SqliteWitnessStore {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = openSqliteFile(join(dataDir, WITNESS_DB_FILE), 'FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root_hash TEXT NOT NULL, note TEXT NOT NULL) STRICT');
  }

  latest(origin: string): WitnessedCheckpoint | undefined {
    const row = this.db.prepare('SELECT origin, size, root_hash AS rootHash, note FROM witnessed WHERE origin = ?').get(origin) as WitnessedCheckpoint | undefined;
    return row;
  }

  /** Runs `decide` on the origin's latest checkpoint and stores the one it returns, atomically. */
  update<T>(origin: string, decide: (latest: WitnessedCheckpoint | undefined) => { store?: WitnessedCheckpoint; result: T }): T {
    return this.db
      .transaction(() => {
        const { store, result } = decide(this.latest(origin));
        if (store) {
          this.db
            .prepare('INSERT INTO witnessed (origin, size, root_hash, note) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root_hash = excluded.root_hash, note = excluded.note')
            .run(store.origin, store.size, store.rootHash, store.note);
        }
        return result;
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }
}
