import Database from 'better-sqlite3';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { damagedSqliteFile, openSqliteFile } from '../shared/sqlite-file';
import { StoreUnavailable } from '../shared/store-unavailable';
import { parseCheckpoint, type Checkpoint } from '../transparency/checkpoint';
import { InvalidNote, parseNote } from '../transparency/signed-note';
import { SqliteWriteFaults } from '../shared/sqlite-write-faults';
import type { WitnessedCheckpoint } from './add-checkpoint';
import type { EvidenceKind } from './add-checkpoint-result';

/**
 * A checkpoint the witness refused, kept as evidence beside the one it cosigned that it
 * contradicts: both notes signed by the log, which anyone holding its keys can check (`kind`:
 * `forked` two roots of one size, `backdated` a larger tree signed before, `retired_key` signed by
 * a key retired before the cosigned one's).
 */
export interface RecordedEvidence {
  /** The cosigned note's. */
  origin: string;
  kind: EvidenceKind;
  /** The refused checkpoint's. */
  size: number;
  cosignedNote: string;
  refusedNote: string;
  /** ISO 8601. */
  refusedAt: string;
}

/** The witness's file in its data folder. */
export const WITNESS_DB_FILE = 'witness.sqlite';

/**
 * Whether the store in `dataDir` holds a checkpoint the witness cosigned, read before the witness
 * opens it and leaving the folder as it was: SQLite's read-only connection to a WAL file makes its
 * -wal and -shm beside it, which are removed again when this look made them.
 */
export function holdsCosigned(dataDir: string): boolean {
  const path = join(dataDir, WITNESS_DB_FILE);
  if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) === 0) return false;
  const made = ['-wal', '-shm'].map((suffix) => `${path}${suffix}`).filter((file) => !existsSync(file));
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const table = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'witnessed'").get();
    return table !== undefined && db.prepare('SELECT 1 FROM witnessed LIMIT 1').get() !== undefined;
  } catch (error) {
    throw damagedSqliteFile(path, error) ?? error;
  } finally {
    db?.close();
    for (const file of made) rmSync(file, { force: true });
  }
}

/** What add-checkpoint decides on the latest checkpoint of each origin of a log held: the checkpoint to store, the evidence to keep, its answer. */
type Decide<T> = (held: WitnessedCheckpoint[]) => { store?: WitnessedCheckpoint; evidence?: RecordedEvidence; result: T };

/** How its problems name the store. */
const STORE_NAME = `the witness's store (${WITNESS_DB_FILE})`;

/**
 * A row as it was stored: its note the checkpoint note of its origin, size and root. Another
 * (edited, damaged) is a promise the witness can no longer read, so it cosigns nothing of that log
 * (503) rather than decide on it: it failed as a 500 that logged nothing.
 */
function intact(row: WitnessedCheckpoint): WitnessedCheckpoint {
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = parseCheckpoint(parseNote(row.note).text);
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
  }
  if (checkpoint?.origin !== row.origin || checkpoint.size !== row.size || checkpoint.rootHash.toString('base64') !== row.rootHash) {
    const why = `it holds a checkpoint of ${row.origin} (size ${row.size}) whose note is not that checkpoint's: damaged or altered since it was stored, so what the witness cosigned of that log cannot be read; put back a whole copy of it from a backup`;
    throw new StoreUnavailable(STORE_NAME, new Error(why));
  }
  return row;
}

/**
 * The latest checkpoint cosigned per origin, in SQLite (WAL, synchronous FULL: a cosignature
 * answered is a promise never to cosign a fork of it). `update` reads the rows of a log's origins,
 * decides and writes in one IMMEDIATE transaction, so two add-checkpoint for one log, in one
 * process or several on the same file, are decided one after the other: the second sees the first's size.
 */
export class SqliteWitnessStore {
  private readonly db: Database.Database;
  /** A full disk or an I/O error answers 503 and fails readiness until a probe write goes through, as the server's stores. */
  private readonly faults: SqliteWriteFaults;

  constructor(dataDir: string) {
    this.db = openSqliteFile(join(dataDir, WITNESS_DB_FILE), 'FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root_hash TEXT NOT NULL, note TEXT NOT NULL) STRICT');
    // The first refusal of each kind per origin that proves the log misbehaved, kept once found.
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS evidence (origin TEXT NOT NULL, kind TEXT NOT NULL, size INTEGER NOT NULL, cosigned_note TEXT NOT NULL, refused_note TEXT NOT NULL, refused_at TEXT NOT NULL, PRIMARY KEY (origin, kind)) STRICT',
    );
    // A store of a build that kept forks only, one per origin: they move into the evidence, as forks.
    this.db.transaction(() => {
      if (this.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'forks'").get() === undefined) return;
      this.db.exec(
        "INSERT INTO evidence (origin, kind, size, cosigned_note, refused_note, refused_at) SELECT origin, 'forked', size, cosigned_note, refused_note, refused_at FROM forks WHERE true ON CONFLICT DO NOTHING; DROP TABLE forks",
      );
    }).immediate();
    // The verifier key it cosigns with: a start with another beside its checkpoints is said (see cosignWith).
    this.db.exec('CREATE TABLE IF NOT EXISTS cosigner (id INTEGER PRIMARY KEY CHECK (id = 1), vkey TEXT NOT NULL) STRICT');
    this.faults = new SqliteWriteFaults(this.db, STORE_NAME);
  }

  /**
   * Records `vkey` as the key it cosigns with; returns the one recorded before when it differs and
   * the store holds checkpoints cosigned (with it, then): the logs that trust that key no longer
   * find its cosignatures. A store of a build that recorded none takes `vkey` unsaid.
   */
  cosignWith(vkey: string): string | undefined {
    return this.db
      .transaction(() => {
        const recorded = (this.db.prepare('SELECT vkey FROM cosigner').get() as { vkey: string } | undefined)?.vkey;
        this.db.prepare('INSERT INTO cosigner (id, vkey) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET vkey = excluded.vkey').run(vkey);
        return recorded !== undefined && recorded !== vkey && this.origins() > 0 ? recorded : undefined;
      })
      .immediate();
  }

  /**
   * Readiness: the path still leads to the file opened, writes go through (after a storage fault),
   * and it answers a query. The open file answers on after its folder is moved or removed, and
   * takes writes that the next start, which opens the path, would not find: cosignatures given
   * then are promises it would forget.
   */
  check(): void {
    this.faults.check();
    this.origins();
  }

  /** Origins held: one row each. */
  origins(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM witnessed').get() as { n: number }).n;
  }

  /** The evidence kept, oldest first. */
  evidence(): RecordedEvidence[] {
    return this.db
      .prepare('SELECT origin, kind, size, cosigned_note AS cosignedNote, refused_note AS refusedNote, refused_at AS refusedAt FROM evidence ORDER BY refused_at, origin, kind')
      .all() as RecordedEvidence[];
  }

  /** The latest checkpoint cosigned of each of the origins that has one. */
  private held(origins: readonly string[]): WitnessedCheckpoint[] {
    return (
      this.db
        .prepare(`SELECT origin, size, root_hash AS rootHash, note FROM witnessed WHERE origin IN (${origins.map(() => '?').join(', ')})`)
        .all(...origins) as WitnessedCheckpoint[]
    ).map(intact);
  }

  /**
   * Runs `decide` on the latest checkpoint of each of a log's origins (one, or one per key name
   * of a rotation) and stores the one it returns, or the evidence of the refusal (the first of its
   * kind of the origin cosigned), atomically. While another process (a sqlite3 shell, a copy) holds the write lock it
   * waits without holding the witness, then StoreUnavailable: the store does not answer, no bug
   * of the request.
   */
  update<T>(origins: readonly string[], decide: Decide<T>): Promise<T> {
    return this.faults.writeWhenFree(() =>
      this.db
        .transaction(() => {
          const { store, evidence, result } = decide(this.held(origins));
          if (evidence) {
            this.db
              .prepare('INSERT INTO evidence (origin, kind, size, cosigned_note, refused_note, refused_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (origin, kind) DO NOTHING')
              .run(evidence.origin, evidence.kind, evidence.size, evidence.cosignedNote, evidence.refusedNote, evidence.refusedAt);
          }
          if (store) {
            this.db
              .prepare('INSERT INTO witnessed (origin, size, root_hash, note) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root_hash = excluded.root_hash, note = excluded.note')
              .run(store.origin, store.size, store.rootHash, store.note);
          }
          return result;
        })
        .immediate(),
    );
  }

  close(): void {
    this.db.close();
  }
}
