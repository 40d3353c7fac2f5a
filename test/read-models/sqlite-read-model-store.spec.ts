import Database from 'better-sqlite3';
import { join } from 'node:path';
import { changeVersion } from '../../projections/document-change';
import { COLLECTION_INDEXES } from '../../src/read-models/read-model-schema';
import { SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { describeReadModelStore } from './read-model-store.contract';
import { openSqlite, tempDir } from './support/stores';

describeReadModelStore('embedded SQLite', async () => {
  const opened = await openSqlite();
  return {
    ...opened,
    cleanup: async () => {
      await opened.store.close();
      await opened.cleanup();
    },
  };
});

describe('embedded SQLite read-model store: a store written before the field columns', () => {
  /** What a store of the version before wrote: documents only, indexed by json_extract expressions. */
  function writeOldStore(path: string): void {
    const db = new Database(path);
    const json = (field: string) => `json_extract(document, '$.${field}')`;
    db.exec(`
      CREATE TABLE read_model_generations (model TEXT PRIMARY KEY, active INTEGER NOT NULL, latest INTEGER NOT NULL);
      CREATE TABLE read_model_checkpoints (model TEXT NOT NULL, generation INTEGER NOT NULL, position TEXT NOT NULL, event_id TEXT, PRIMARY KEY (model, generation));
      INSERT INTO read_model_generations VALUES ('org-status', 3, 3);
      INSERT INTO read_model_checkpoints VALUES ('org-status', 3, '7', NULL);
      CREATE TABLE agent_status_3 (id TEXT PRIMARY KEY, version TEXT NOT NULL, document TEXT NOT NULL);
      CREATE TABLE agent_browsers_3 (id TEXT PRIMARY KEY, version TEXT NOT NULL, document TEXT NOT NULL);
      CREATE TABLE agent_status_3_counts (grp TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (grp, value)) WITHOUT ROWID;
      INSERT INTO agent_status_3_counts VALUES ('o1', 'ACTIVE', 2), ('o1', 'PENDING', 1);`);
    for (const collection of ['agent_status', 'agent_browsers'] as const) {
      for (const index of COLLECTION_INDEXES[collection]) db.exec(`CREATE INDEX "${collection}_3__${index.join('_')}" ON ${collection}_3 (${index.map(json).join(', ')})`);
    }
    const insert = db.prepare('INSERT INTO agent_status_3 VALUES (?, ?, ?)');
    insert.run('a', changeVersion(1n, 0), JSON.stringify({ orgId: 'o1', agentId: 'a', role: 'ADMIN', keyStatus: 'ACTIVE' }));
    insert.run('b', changeVersion(2n, 0), JSON.stringify({ orgId: 'o1', agentId: 'b', role: 'MEMBER', keyStatus: 'ACTIVE' }));
    insert.run('c', changeVersion(3n, 0), JSON.stringify({ orgId: 'o1', agentId: 'c', role: 'MEMBER', keyStatus: 'PENDING' }));
    insert.run('d', changeVersion(4n, 0), JSON.stringify({ orgId: 'o1', agentId: 'd', role: 'MEMBER' }));
    db.prepare('INSERT INTO agent_browsers_3 VALUES (?, ?, ?)').run('b~x', changeVersion(5n, 0), JSON.stringify({ orgId: 'o1', agentId: 'b', browserId: 'x', promptFrequency: 'DAILY' }));
    db.close();
  }

  it('fills the columns from the documents at open, indexes them, and serves and updates the generation as before', async () => {
    const dir = tempDir('read-models-old');
    const path = join(dir, 'read-models.sqlite');
    writeOldStore(path);
    const opened = await openSqlite(dir);
    const notes: string[] = [];
    const store = new SqliteReadModelStore({ path, onInPlaceChange: (message) => notes.push(message) });
    try {
      await store.init();
      await store.init();
      // The operator upgrading is told what changed in their files, once.
      expect(notes).toEqual([
        'read model org-status: agent_status_3, agent_browsers_3 upgraded in place (field columns filled from 5 documents, indexes built on them)',
      ]);
      const agents = async (conditions: Array<{ field: string; value: string }>) =>
        (await store.find({ collection: 'agent_status', conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }, ...conditions.map((c) => ({ ...c, op: 'eq' as const }))], orderBy: 'agentId' })).map(
          (document) => document.agentId,
        );
      expect(await store.activeGeneration('org-status')).toBe(3);
      expect(await store.checkpoint('org-status')).toBe(7n);
      expect(await agents([])).toEqual(['a', 'b', 'c', 'd']);
      expect(await agents([{ field: 'keyStatus', value: 'ACTIVE' }])).toEqual(['a', 'b']);
      expect(await agents([{ field: 'role', value: 'MEMBER' }, { field: 'keyStatus', value: 'PENDING' }])).toEqual(['c']);
      expect(Object.fromEntries(await store.counts({ collection: 'agent_status', group: 'o1' }))).toEqual({ ACTIVE: 2, PENDING: 1 });
      for (const [collection, conditions, orderBy] of [
        ['agent_status', [{ field: 'orgId', op: 'eq', value: 'o1' }, { field: 'role', op: 'eq', value: 'MEMBER' }, { field: 'keyStatus', op: 'eq', value: 'ACTIVE' }, { field: 'agentId', op: 'gt', value: '' }], 'agentId'],
        ['agent_browsers', [{ field: 'orgId', op: 'eq', value: 'o1' }, { field: 'agentId', op: 'in', value: ['a', 'b'] }], 'agentId'],
      ] as const) {
        expect((await store.explain({ collection, conditions, orderBy })).indexed).toBe(true);
      }

      await store.apply('org-status', 3, [
        { change: { kind: 'patch', collection: 'agent_status', id: 'c', set: { keyStatus: 'ACTIVE' } }, version: changeVersion(8n, 0) },
        { change: { kind: 'patch', collection: 'agent_status', id: 'a', set: { role: 'MEMBER' } }, version: changeVersion(8n, 1) },
        { change: { kind: 'patchWhere', collection: 'agent_browsers', where: { orgId: 'o1', agentId: 'b' }, set: { promptFrequency: 'WEEKLY' } }, version: changeVersion(8n, 2) },
      ], 8n);
      expect(await agents([{ field: 'role', value: 'MEMBER' }, { field: 'keyStatus', value: 'ACTIVE' }])).toEqual(['a', 'b', 'c']);
      expect(Object.fromEntries(await store.counts({ collection: 'agent_status', group: 'o1' }))).toEqual({ ACTIVE: 3 });
      expect((await store.dump('agent_browsers')).map(({ document }) => document.promptFrequency)).toEqual(['WEEKLY']);

      const db = new Database(path, { readonly: true });
      const left = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%json_extract(%'").pluck().all();
      db.close();
      expect(left).toEqual([]);
    } finally {
      await store.close();
      await opened.cleanup();
    }
  });

  it('refreshes the columns at open when the release before wrote documents after this one had opened the store (going back, then forward)', async () => {
    const dir = tempDir('read-models-back-and-forth');
    const path = join(dir, 'read-models.sqlite');
    writeOldStore(path);
    const opened = await openSqlite(dir);
    await opened.store.init();
    await opened.store.close();

    // The release before (8f13e1b) started again on the upgraded file: it writes documents and the
    // checkpoint with its own statements, which know nothing of the columns.
    const db = new Database(path);
    db.prepare('INSERT INTO agent_status_3 (id, version, document) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, document = excluded.document').run(
      'a',
      changeVersion(8n, 0),
      JSON.stringify({ orgId: 'o1', agentId: 'a', role: 'MEMBER', keyStatus: 'REVOKED' }),
    );
    db.prepare('UPDATE agent_status_3_counts SET n = n - 1 WHERE grp = ? AND value = ?').run('o1', 'ACTIVE');
    db.prepare('INSERT INTO agent_status_3_counts (grp, value, n) VALUES (?, ?, 1)').run('o1', 'REVOKED');
    db.prepare(
      'INSERT INTO read_model_checkpoints (model, generation, position, event_id) VALUES (?, ?, ?, ?) ON CONFLICT (model, generation) DO UPDATE SET position = excluded.position, event_id = excluded.event_id',
    ).run('org-status', 3, '8', null);
    db.close();

    const repairs: string[] = [];
    const store = new SqliteReadModelStore({ path, onInPlaceChange: (message) => repairs.push(message) });
    try {
      await store.init();
      expect(repairs).toEqual([expect.stringMatching(/^read model org-status: 1 documents written without their field columns \(by an older ztkeys/)]);
      const agents = async (field: string, value: string) =>
        (await store.find({ collection: 'agent_status', conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }, { field, op: 'eq', value }], orderBy: 'agentId' })).map((document) => document.agentId);
      expect(await agents('keyStatus', 'ACTIVE')).toEqual(['b']);
      expect(await agents('keyStatus', 'REVOKED')).toEqual(['a']);
      expect(await agents('role', 'ADMIN')).toEqual([]);
      expect(await store.checkpoint('org-status')).toBe(8n);
      await store.close();
      // Told once: the next start finds the columns as this release wrote them.
      const again = new SqliteReadModelStore({ path, onInPlaceChange: (message) => repairs.push(message) });
      await again.init();
      await again.close();
      expect(repairs).toHaveLength(1);
    } finally {
      await store.close();
      await opened.cleanup();
    }
  });
});
