import type Database from 'better-sqlite3';
import type { LogCheckpoint } from '../../event-store/log-divergence';
import { SqliteWriteFaults } from '../../shared/sqlite-write-faults';
import { inLogOrder, type NotifierCheckpoint, type ParkedEvent } from './notifier-checkpoint.port';

/** The notifier's checkpoint and parked events in the embedded email store (beside the jobs). */
export class SqliteNotifierCheckpoint implements NotifierCheckpoint {
  private readonly statements;
  private readonly faults: SqliteWriteFaults;
  private readonly write: (position: string, eventId: string | null) => boolean;

  constructor(
    db: Database.Database,
    private readonly name = 'email-notifier',
  ) {
    // IMMEDIATE: processes opening the file at once (a cluster's workers) make or upgrade it one
    // after another; each read the columns, then added those missing, and all but one failed.
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS notifier_checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)`);
      // Files created before checkpoints named their event get the column at open.
      const columns = db.prepare("SELECT name FROM pragma_table_info('notifier_checkpoints')").pluck().all();
      if (!columns.includes('event_id')) db.exec('ALTER TABLE notifier_checkpoints ADD COLUMN event_id TEXT');
      // Positions as text, as the checkpoint's: a KurrentDB position may pass 2^63.
      db.exec(
        `CREATE TABLE IF NOT EXISTS notifier_parked_events (name TEXT NOT NULL, event_id TEXT NOT NULL, position TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (name, event_id))`,
      );
    }).immediate();
    this.statements = {
      load: db.prepare<[string], { position: string; event_id: string | null }>(`SELECT position, event_id FROM notifier_checkpoints WHERE name = ?`),
      update: db.prepare<[string, string | null, string]>(`UPDATE notifier_checkpoints SET position = ?, event_id = ? WHERE name = ?`),
      insert: db.prepare<[string, string, string | null]>(`INSERT INTO notifier_checkpoints (name, position, event_id) VALUES (?, ?, ?)`),
      park: db.prepare<[string, string, string, string, number, string]>(
        `INSERT INTO notifier_parked_events (name, event_id, position, type, schema_version, reason) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, event_id) DO UPDATE SET reason = excluded.reason`,
      ),
      parked: db.prepare<[string], { event_id: string; position: string; type: string; schema_version: number; reason: string }>(
        `SELECT event_id, position, type, schema_version, reason FROM notifier_parked_events WHERE name = ?`,
      ),
      unpark: db.prepare<[string, string]>(`DELETE FROM notifier_parked_events WHERE name = ? AND event_id = ?`),
    };
    this.faults = new SqliteWriteFaults(db, 'the notifier checkpoint (email.sqlite)');
    this.write = db.transaction((position: string, eventId: string | null) => {
      const held = this.statements.update.run(position, eventId, this.name).changes > 0;
      if (!held) this.statements.insert.run(this.name, position, eventId);
      return held;
    }).immediate;
  }

  async load(): Promise<LogCheckpoint | undefined> {
    const row = this.statements.load.get(this.name);
    return row && { position: BigInt(row.position), eventId: row.event_id ?? undefined };
  }

  /** In one transaction, waiting for another connection's write lock on the event loop (writeWhenFree). */
  async save({ position, eventId }: LogCheckpoint): Promise<boolean> {
    return this.faults.writeWhenFree(() => this.write(position.toString(), eventId ?? null));
  }

  async park({ position, eventId, type, schemaVersion, reason }: ParkedEvent): Promise<void> {
    await this.faults.writeWhenFree(() => this.statements.park.run(this.name, eventId, position.toString(), type, schemaVersion, reason));
  }

  async parked(): Promise<ParkedEvent[]> {
    const rows = this.statements.parked.all(this.name).map((row) => ({ position: BigInt(row.position), eventId: row.event_id, type: row.type, schemaVersion: row.schema_version, reason: row.reason }));
    return rows.sort(inLogOrder);
  }

  async unpark(eventId: string): Promise<void> {
    await this.faults.writeWhenFree(() => this.statements.unpark.run(this.name, eventId));
  }
}
