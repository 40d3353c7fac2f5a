import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
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
