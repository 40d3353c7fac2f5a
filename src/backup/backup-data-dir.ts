import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded stores in the order they are copied: what is derived from the log (read models,
 * the email queue and the notifier's checkpoint) before the log itself. Each copy is one
 * snapshot, so a derived store's checkpoint in the backup is never past the log's head in it:
 * after a restore every consumer only catches up.
 */
export const EMBEDDED_STORES = ['read-models.sqlite', 'email.sqlite', 'events.sqlite'] as const;

/** Files that are neither stores nor their WAL companions: secrets and the outbox. */
const isStoreFile = (name: string): boolean => /\.sqlite(-wal|-shm|-journal)?$/.test(name);

export interface BackupResult {
  stores: string[];
  files: string[];
}

/**
 * Copies a running deployment's DATA_DIR into `target` (which must not exist yet or be empty):
 * each SQLite store with `VACUUM INTO`, one read transaction that sees one committed state
 * while writers go on (WAL), then the secrets and the outbox.
 */
export function backupDataDir(dataDir: string, target: string): BackupResult {
  if (existsSync(target) && readdirSync(target).length > 0) throw new Error(`${target} is not empty`);
  mkdirSync(target, { recursive: true });
  const stores: string[] = [];
  for (const name of EMBEDDED_STORES) {
    const source = join(dataDir, name);
    if (!existsSync(source)) continue;
    const db = new Database(source, { readonly: true, timeout: 10_000 });
    try {
      db.prepare('VACUUM INTO ?').run(join(target, name));
    } finally {
      db.close();
    }
    stores.push(name);
  }
  const files = readdirSync(dataDir).filter((name) => !isStoreFile(name));
  for (const name of files) {
    const source = join(dataDir, name);
    cpSync(source, join(target, name), { recursive: statSync(source).isDirectory(), preserveTimestamps: true });
  }
  return { stores, files };
}
