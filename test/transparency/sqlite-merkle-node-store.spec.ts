import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { tempDir } from '../read-models/support/stores';
import { describeMerkleNodeStore } from './merkle-node-store.contract';
import { openSqliteNodes } from './support/node-stores';

describeMerkleNodeStore('SQLite', async () => openSqliteNodes());

it('a file from before the due index: its orgs with unsigned leaves are due at once, the others when their checkpoint is', async () => {
  const dir = tempDir('merkle-nodes-due');
  const path = join(dir, 'merkle-nodes.sqlite');
  const old = new Database(path);
  old.exec(`CREATE TABLE merkle_orgs (org TEXT PRIMARY KEY, size INTEGER NOT NULL, position TEXT NOT NULL, signed_size INTEGER, signed_at TEXT, signed_revision TEXT) WITHOUT ROWID;
    INSERT INTO merkle_orgs VALUES ('grown', 3, '1', 2, '2026-11-30T12:00:00.000Z', '0'), ('signed', 2, '2', 2, '2026-11-30T12:00:00.000Z', '0');`);
  old.close();
  const store = new SqliteMerkleNodeStore({ path });
  try {
    expect((await store.due(0, 0, 10)).map((org) => org.orgId)).toEqual(['grown']);
    expect((await store.due(0, Date.parse('2026-11-30T12:00:00.000Z'), 10)).map((org) => org.orgId).sort()).toEqual(['grown', 'signed']);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
