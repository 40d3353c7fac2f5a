import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { tempDir } from '../read-models/support/stores';
import { describeMerkleNodeStore } from './merkle-node-store.contract';
import { openSqliteNodes } from './support/node-stores';

describeMerkleNodeStore('SQLite', async () => openSqliteNodes());

it('a file from before the due index and the root: its orgs with unsigned leaves are due at once, the others when their checkpoint is; their roots come with their next write', async () => {
  const dir = tempDir('merkle-nodes-due');
  const path = join(dir, 'merkle-nodes.sqlite');
  const old = new Database(path);
  old.exec(`CREATE TABLE merkle_orgs (org TEXT PRIMARY KEY, size INTEGER NOT NULL, position TEXT NOT NULL, signed_size INTEGER, signed_at TEXT, signed_revision TEXT) WITHOUT ROWID;
    INSERT INTO merkle_orgs VALUES ('grown', 3, '${'1'.padStart(20, '0')}', 2, '2026-11-30T12:00:00.000Z', '0'), ('signed', 2, '${'2'.padStart(20, '0')}', 2, '2026-11-30T12:00:00.000Z', '0');`);
  old.close();
  const store = new SqliteMerkleNodeStore({ path });
  try {
    expect((await store.due(0, 0, 10)).map((org) => org.orgId)).toEqual(['grown']);
    expect((await store.due(0, Date.parse('2026-11-30T12:00:00.000Z'), 10)).map((org) => org.orgId).sort()).toEqual(['grown', 'signed']);
    // Nor a root column: no root until the org's next write.
    expect(await store.org('grown')).not.toHaveProperty('root');
    const root = Buffer.alloc(32, 7);
    await store.apply({ nodes: [], orgs: [{ orgId: 'grown', size: 4, root, position: 3n }], checkpoint: { position: 3n } });
    expect((await store.org('grown'))?.root).toEqual(root);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("a root the release before left behind (it moved the org's size on without it, started again on an upgraded file) is not served for the new size", async () => {
  const dir = tempDir('merkle-nodes-back');
  const path = join(dir, 'merkle-nodes.sqlite');
  const store = new SqliteMerkleNodeStore({ path });
  const root = Buffer.alloc(32, 7);
  await store.apply({ nodes: [], orgs: [{ orgId: 'o', size: 4, root, position: 3n }], checkpoint: { position: 3n } });
  await store.close();
  // The release before (8f13e1b) writes the org's row with its own statement, which knows no root.
  const old = new Database(path);
  old
    .prepare(
      `INSERT INTO merkle_orgs (org, size, position, signed_size, signed_at, signed_revision) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (org) DO UPDATE SET size = excluded.size, position = excluded.position, signed_size = excluded.signed_size,
         signed_at = excluded.signed_at, signed_revision = excluded.signed_revision WHERE excluded.position > merkle_orgs.position`,
    )
    .run('o', 6, '5'.padStart(20, '0'), null, null, null);
  old.close();
  const again = new SqliteMerkleNodeStore({ path });
  try {
    expect(await again.org('o')).toMatchObject({ size: 6 });
    expect(await again.org('o')).not.toHaveProperty('root');
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("is upgraded by one of the processes that open it at once (a cluster's workers at start), the others finding it done", async () => {
  const dir = tempDir('merkle-nodes-at-once');
  const path = join(dir, 'merkle-nodes.sqlite');
  // A file from before the due index and the root (a fresh file is one too, once its tables are made), whose write lock is held meanwhile:
  // each process gets as far as it can without it, then they go one after another.
  const holder = new Database(path);
  holder.pragma('journal_mode = WAL');
  holder.exec(`CREATE TABLE merkle_nodes (org TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (org, level, idx)) WITHOUT ROWID;
    CREATE TABLE merkle_orgs (org TEXT PRIMARY KEY, size INTEGER NOT NULL, position TEXT NOT NULL, signed_size INTEGER, signed_at TEXT, signed_revision TEXT) WITHOUT ROWID;
    CREATE TABLE merkle_progress (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT NOT NULL, event_id TEXT);
    BEGIN IMMEDIATE`);
  const register = join(__dirname, '../../scripts/register-ts.js');
  const workers = Array.from({ length: 3 }, () => new Worker(join(__dirname, 'fixtures/open-node-store-on-thread.ts'), { workerData: { path }, execArgv: ['--require', register] }));
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
