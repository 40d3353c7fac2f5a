import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../shared/sqlite-file';

/**
 * Schema of the embedded event log. `position` aliases the rowid, so the global order is the
 * primary key itself. A stream's current revision is the max of the (stream, revision) index:
 * one b-tree descent, as cheap as a separate streams table and without a second row to write.
 */
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY,
  id             TEXT    NOT NULL UNIQUE,
  stream         TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  schema_version INTEGER NOT NULL,
  data           TEXT    NOT NULL,
  metadata       TEXT    NOT NULL,
  UNIQUE (stream, revision)
);
`;


export const INSERT_EVENT_SQL = `INSERT INTO events (id, stream, revision, type, schema_version, data, metadata)
  VALUES (@id, @stream, @revision, @type, @schemaVersion, @data, @metadata)`;

/**
 * Opens (and creates if needed) the event log file. WAL lets readers run beside the writer and
 * other processes; synchronous=FULL fsyncs the WAL at every commit, so an acknowledged append
 * survives power loss. Integers come back as bigint: positions and revisions are 64-bit.
 */
export function openEventLog(path: string): Database.Database {
  const db = openSqliteFile(path, 'FULL');
  db.defaultSafeIntegers(true);
  // IMMEDIATE: processes opening a fresh file at once create the schema one after another.
  db.transaction(() => db.exec(SCHEMA_SQL)).immediate();
  return db;
}
