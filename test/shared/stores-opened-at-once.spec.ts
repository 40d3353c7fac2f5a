import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const REGISTER_TS = join(__dirname, '../../scripts/register-ts.js');

/**
 * A cluster's workers open the embedded stores at once at start. A store whose schema is made in
 * steps (tables, then the columns a later release added) was made by each of them at once, and all
 * but the first failed ('duplicate column name'), stopping the cluster: a file of an earlier release
 * every time (each read its columns before any added them), a fresh one at times. Here an earlier
 * release's file's write lock is held while three threads open it, then let go: each gets as far as
 * it can without the lock, then they go one after another.
 */
describe.each([
  {
    store: 'read-models',
    file: 'read-models.sqlite',
    // A file from before checkpoints named their event (and before columns_at).
    before: `CREATE TABLE read_model_generations (model TEXT PRIMARY KEY, active INTEGER NOT NULL, latest INTEGER NOT NULL);
      CREATE TABLE read_model_checkpoints (model TEXT NOT NULL, generation INTEGER NOT NULL, position TEXT NOT NULL, PRIMARY KEY (model, generation));`,
  },
  {
    store: 'merkle-nodes',
    file: 'merkle-nodes.sqlite',
    // A file from before the due index and the root.
    before: `CREATE TABLE merkle_nodes (org TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (org, level, idx)) WITHOUT ROWID;
      CREATE TABLE merkle_orgs (org TEXT PRIMARY KEY, size INTEGER NOT NULL, position TEXT NOT NULL, signed_size INTEGER, signed_at TEXT, signed_revision TEXT) WITHOUT ROWID;
      CREATE TABLE merkle_progress (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT NOT NULL, event_id TEXT);`,
  },
  {
    store: 'email',
    file: 'email.sqlite',
    // A file from before the notifier's checkpoint named its event.
    before: `CREATE TABLE email_jobs (id TEXT PRIMARY KEY, data TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'completed', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0, due_at INTEGER NOT NULL, lease_token TEXT, error TEXT);
      CREATE INDEX email_jobs_by_state ON email_jobs (state, due_at);
      CREATE TABLE write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
      CREATE TABLE notifier_checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL);`,
  },
])('the $store store opened by several processes at once', ({ store, file, before }) => {
  it('is upgraded by one of them, the others finding it done', async () => {
    const dir = mkdtempSync(join(tmpdir(), `ztkeys-opened-at-once-${store}-`));
    const path = join(dir, file);
    const holder = new Database(path);
    holder.pragma('journal_mode = WAL');
    holder.exec(before);
    holder.exec('BEGIN IMMEDIATE');
    const workers = Array.from({ length: 3 }, () => new Worker(join(__dirname, 'fixtures/open-store-on-thread.ts'), { workerData: { store, path }, execArgv: ['--require', REGISTER_TS] }));
    try {
      const outcomes = workers.map(
        (worker) =>
          new Promise<string>((resolve, reject) => {
            worker.on('message', (message: string) => message !== 'ready' && resolve(message));
            worker.once('error', reject);
          }),
      );
      await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
      // Far longer than their reads of the schema take, far shorter than their busy timeout.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      holder.exec('COMMIT');
      expect(await Promise.all(outcomes)).toEqual(['opened', 'opened', 'opened']);
    } finally {
      holder.close();
      await Promise.all(workers.map((worker) => worker.terminate()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
