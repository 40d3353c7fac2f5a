import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../shared/sqlite-file';

/**
 * True (1) for a row whose data is an object and whose occurredAt is a day that exists in
 * toISOString's form (SQLite's strftime writes it back unchanged, so eventTime gives it as it is):
 * the embedded audit export copies such a row's stored text into its line (audit-entry-json.ts).
 * The GLOB first, so strftime never reads 'now' (refused in a generated column: the append would fail).
 */
export const AS_STORED_SQL =
  "CASE WHEN metadata ->> '$.occurredAt' GLOB '[0-9][0-9][0-9][0-9]-*' THEN json_type(data) = 'object' AND strftime('%Y-%m-%dT%H:%M:%fZ', metadata ->> '$.occurredAt') = metadata ->> '$.occurredAt' ELSE 0 END";

/**
 * Schema of the embedded event log. `position` aliases the rowid, so the global order is the
 * primary key itself; AUTOINCREMENT keeps the highest position ever given out (sqlite_sequence),
 * so a position is never given twice, even after the last rows were deleted. A stream's current
 * revision is the max of the (stream, revision) index: one b-tree descent, as cheap as a separate
 * streams table and without a second row to write. `as_stored` is AS_STORED_SQL, computed once
 * by the append rather than at every export of the row (a quarter of the export's SQL a line).
 */
const EVENTS_TABLE = (name: string): string => `
CREATE TABLE ${name} (
  position       INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT    NOT NULL UNIQUE,
  stream         TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  schema_version INTEGER NOT NULL,
  data           TEXT    NOT NULL,
  metadata       TEXT    NOT NULL,
  as_stored      INTEGER GENERATED ALWAYS AS (${AS_STORED_SQL}) STORED,
  UNIQUE (stream, revision)
);
`;

/**
 * Whether the log's table has the `as_stored` column: a log created before it keeps its table
 * (adding a stored column means copying the whole log) and its readers evaluate AS_STORED_SQL a row.
 */
export function hasAsStored(db: Database.Database): boolean {
  return (db.pragma('table_xinfo(events)') as Array<{ name: string }>).some((column) => column.name === 'as_stored');
}

/**
 * The audit trail's fields as the events table holds them. The embedded read-model store answers
 * the audit-log queries from this table (no copy of the log), by these expressions; the indexes
 * below use the same text, so SQLite matches them.
 */
export const AUDIT_FIELDS = {
  orgId: "json_extract(metadata, '$.orgId')",
  position: 'position',
  type: 'type',
  actor: "json_extract(metadata, '$.actor')",
  subject: "json_extract(data, '$.agentId')",
  occurredAt: "json_extract(metadata, '$.occurredAt')",
} as const;
export type AuditField = keyof typeof AUDIT_FIELDS;

/** One per audit-log query shape (those of the audit_log read model, COLLECTION_INDEXES): equality fields, then the order. */
const AUDIT_INDEXES: ReadonlyArray<readonly AuditField[]> = [
  ['orgId', 'position'],
  ['orgId', 'type', 'position'],
  ['orgId', 'actor', 'position'],
  ['orgId', 'subject', 'position'],
  ['orgId', 'occurredAt'],
];

/** An event as the log's row holds it, its data and metadata serialized. */
export interface EventRowValues {
  id: string;
  type: string;
  schemaVersion: number;
  data: string;
  metadata: string;
}

export const INSERT_EVENT_SQL = 'INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)';

/**
 * Inserts an event with INSERT_EVENT_SQL prepared as `statement`. Positional parameters: better-sqlite3
 * binds named ones from an object by looking up each name, 4-5 µs more a row (7 µs against 2 in a
 * loop of 100,000 inserts), on every append.
 */
export function insertEvent(statement: Database.Statement, stream: string, revision: bigint, event: EventRowValues): Database.RunResult {
  return statement.run(event.id, stream, revision, event.type, event.schemaVersion, event.data, event.metadata);
}

/**
 * Opens (and creates if needed) the event log file. WAL lets readers run beside the writer and
 * other processes; synchronous=FULL fsyncs the WAL at every commit, so an acknowledged append
 * survives power loss. Integers come back as bigint: positions and revisions are 64-bit.
 */
export function openEventLog(path: string, existing = false): Database.Database {
  const db = openSqliteFile(path, 'FULL', existing);
  db.defaultSafeIntegers(true);
  // IMMEDIATE: processes opening a fresh or old file at once create or upgrade it one after another.
  db.transaction(() => {
    createOrUpgrade(db);
    // Built once on an older log (a few seconds per million events), then kept by each append.
    for (const fields of AUDIT_INDEXES) {
      db.exec(`CREATE INDEX IF NOT EXISTS "events_audit_${fields.join('_')}" ON events (${fields.map((name) => AUDIT_FIELDS[name]).join(', ')})`);
    }
  }).immediate();
  return db;
}

/**
 * A log created before positions were AUTOINCREMENT (they were plain rowids) is copied into the
 * new table in the same transaction, positions unchanged; the sequence starts at its highest.
 */
function createOrUpgrade(db: Database.Database): void {
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'").pluck().get() as string | undefined;
  if (sql === undefined) {
    db.exec(EVENTS_TABLE('events'));
    return;
  }
  if (/AUTOINCREMENT/i.test(sql)) return;
  db.exec(`${EVENTS_TABLE('events_upgraded')}
    INSERT INTO events_upgraded (position, id, stream, revision, type, schema_version, data, metadata) SELECT position, id, stream, revision, type, schema_version, data, metadata FROM events ORDER BY position;
    DROP TABLE events;
    ALTER TABLE events_upgraded RENAME TO events;`);
}
