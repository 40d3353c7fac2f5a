import type Database from 'better-sqlite3';
import type { NotifierCheckpoint } from './notifier-checkpoint.port';

/** The notifier's checkpoint in the embedded email store (beside the jobs). */
export class SqliteNotifierCheckpoint implements NotifierCheckpoint {
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly name = 'email-notifier',
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS notifier_checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)`);
    this.statements = {
      load: db.prepare<[string], { position: string }>(`SELECT position FROM notifier_checkpoints WHERE name = ?`),
      save: db.prepare<[string, string]>(
        `INSERT INTO notifier_checkpoints (name, position) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
      ),
    };
  }

  async load(): Promise<bigint | undefined> {
    const row = this.statements.load.get(this.name);
    return row ? BigInt(row.position) : undefined;
  }

  async save(position: bigint): Promise<void> {
    this.statements.save.run(this.name, position.toString());
  }
}
