import Database from 'better-sqlite3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { threadId } from 'node:worker_threads';
import { changeVersion, type DocumentChange } from '../../projections/document-change';
import { isStorageFault } from '../../src/shared/sqlite-write-faults';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import type { DocumentQuery } from '../../src/read-models/read-model-store.port';
import { COLLECTION_INDEXES } from '../../src/read-models/read-model-schema';
import { REDUCED_HERE_UP_TO, SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { describeReadModelStore } from './read-model-store.contract';
import { openSqlite, tempDir } from './support/stores';
import { countedByKeyStatus } from './support/counted-documents';

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

describe('embedded SQLite read-model store: large reduceJson reads on one worker thread', () => {
  const reducer = (name: 'agentIdsAndThread' | 'afterGate', argument: string) => ({ module: require.resolve('./fixtures/documents-reducer'), name, argument });
  /** More documents than the store reduces on the caller's thread, in the active org-status generation, or `generation`. */
  const MANY = REDUCED_HERE_UP_TO + 1;
  const browsers = (prefix: string) =>
    Array.from({ length: MANY }, (_, i) => {
      const id = `${prefix}${String(i).padStart(5, '0')}`;
      return { change: { kind: 'upsert', collection: 'agent_browsers', id, document: { orgId: 'o1', agentId: id, browserId: id, promptFrequency: 'DAILY' } } as DocumentChange, version: changeVersion(BigInt(i + 1), 0) };
    });
  const all: DocumentQuery = { collection: 'agent_browsers', conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }], orderBy: 'agentId' };
  const ids = (prefix: string) => browsers(prefix).map(({ change }) => (change as { id: string }).id);
  const reduced = async (store: SqliteReadModelStore, queries: DocumentQuery[], name: 'agentIdsAndThread' | 'afterGate' = 'agentIdsAndThread', argument = 'asked') =>
    JSON.parse((await store.reduceJson(queries, reducer(name, argument))).toString('utf8')) as { tag: string; agentIds: string[][]; threadId: number };

  async function filled(): Promise<{ store: SqliteReadModelStore; path: string; opened: Awaited<ReturnType<typeof openSqlite>> }> {
    const opened = await openSqlite();
    const store = opened.store as SqliteReadModelStore;
    await store.init();
    await store.apply('org-status', await store.activeGeneration('org-status'), browsers('a'), 1n);
    return { store, path: join(opened.dir, 'read-models.sqlite'), opened };
  }

  it('runs concurrent large reads on one long-lived thread, in the order asked, each answered right', async () => {
    const { store, opened } = await filled();
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => reduced(store, [all, { ...all, limit: i + 1 }], 'agentIdsAndThread', `q${i}`)));
      expect(answers.map(({ tag, agentIds }) => ({ tag, agentIds }))).toEqual(answers.map((_, i) => ({ tag: `q${i}`, agentIds: [ids('a'), ids('a').slice(0, i + 1)] })));
      const threads = new Set(answers.map((answer) => answer.threadId));
      expect({ threads: threads.size, onTheCallersThread: threads.has(threadId) }).toEqual({ threads: 1, onTheCallersThread: false });
      // Kept for the next one.
      expect((await reduced(store, [all])).threadId).toBe([...threads][0]);
    } finally {
      await store.close();
      await opened.cleanup();
    }
  });

  it('lets a process end once its large reads are answered, its worker left running or closed', async () => {
    const { store, path, opened } = await filled();
    await store.close();
    try {
      const script = `
        const { SqliteReadModelStore } = require(${JSON.stringify(require.resolve('../../src/read-models/sqlite/sqlite-read-model-store'))});
        const [left, closed] = [0, 1].map(() => new SqliteReadModelStore({ path: ${JSON.stringify(path)} }));
        const read = (store) => store.reduceJson([${JSON.stringify(all)}], ${JSON.stringify(reducer('agentIdsAndThread', 'asked'))}).then((json) => JSON.parse(json).agentIds[0].length);
        read(left).then((n) => console.log('left', n));
        read(closed).then(async (n) => { await closed.close(); console.log('closed', n); });
      `;
      const { stdout } = await promisify(execFile)(process.execPath, ['--require', join(__dirname, '../../scripts/register-ts.js'), '-e', script], { timeout: 60_000 });
      expect(stdout.trim().split('\n').sort()).toEqual([`closed ${MANY}`, `left ${MANY}`]);
    } finally {
      await opened.cleanup();
    }
  });

  it("rejects with StoreUnavailable, SQLite's own error code its cause, when the worker cannot read the file (a storage fault: 503, as on the caller's thread)", async () => {
    const { store, path, opened } = await filled();
    try {
      // The file gone from under the store: its own connection still reads the open file, the worker cannot open it.
      rmSync(path);
      const fault = await store.reduceJson([all], reducer('agentIdsAndThread', 'asked')).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(fault).toBeInstanceOf(StoreUnavailable);
      expect(fault).toMatchObject({ message: 'the read models (read-models.sqlite) is unavailable: unable to open database file', cause: { code: 'SQLITE_CANTOPEN' } });
      expect(isStorageFault((fault as Error).cause)).toBe(true);
    } finally {
      await store.close();
      await opened.cleanup();
    }
  });

  it('answers a damaged page a read meets (a damaged copy restored) with StoreUnavailable saying so, on the caller\'s thread and the worker\'s, and fails readiness', async () => {
    const { store, path, opened } = await filled();
    const generation = await store.activeGeneration('org-status');
    await store.close();
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'").pluck().all(`agent_browsers_${generation}`) as number[];
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    // Every leaf of the documents' table overwritten: its index (counts) is whole, each document read meets the damage.
    const fd = openSync(path, 'r+');
    for (const page of leaves) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    const damaged = await opened.reopen();
    try {
      await damaged.init();
      expect(await damaged.ping()).toBe(true);
      const failures = await Promise.all([
        damaged.findById('agent_browsers', 'a00001'),
        damaged.find({ ...all, limit: 5 }),
        damaged.reduceJson([all], reducer('agentIdsAndThread', 'asked')),
      ].map((read) => read.then(() => undefined, (error: unknown) => error)));
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(StoreUnavailable);
        expect((failure as Error).message).toBe('the read models (read-models.sqlite) is unavailable: database disk image is malformed: the file is damaged; put back a whole copy of it (from a backup)');
      }
      await expect(damaged.ping()).rejects.toThrow(failures[0] as Error);
    } finally {
      await damaged.close();
      await opened.cleanup();
    }
  });

  it('answers from the new generation when a rebuild in another process drops the one its read was made for before the worker reads', async () => {
    const { store, opened } = await filled();
    const gate = join(opened.dir, 'gate');
    const rebuild = await opened.reopen();
    try {
      const old = await rebuild.activeGeneration('org-status');
      const fresh = await rebuild.createGeneration('org-status');
      await rebuild.apply('org-status', fresh, browsers('b'), 1n);
      // The worker is held by a first read; the second is made for the active generation and waits behind it.
      const first = reduced(store, [all], 'afterGate', gate);
      const second = reduced(store, [all]);
      await new Promise((resolve) => setImmediate(resolve));
      await rebuild.activate('org-status', fresh);
      await rebuild.dropGeneration('org-status', old);
      writeFileSync(gate, '');
      // The first read the old generation, unless the worker took longer to start than the rebuild: then the new one too.
      expect([[ids('a')], [ids('b')]]).toContainEqual((await first).agentIds);
      expect((await second).agentIds).toEqual([ids('b')]);
    } finally {
      await rebuild.close();
      await store.close();
      await opened.cleanup();
    }
  });
});

/**
 * A batch reads its documents and folds its changes before it takes the write lock, so that
 * another connection (the other projector thread's) writes meanwhile; it writes only if that
 * generation was not written since its read, else it reads and folds again under the lock. Two
 * processes write the same documents of one generation at once, as fast as they can: a batch
 * written from a read another's commit made stale would leave a document older than a change
 * already applied to it (a lost update), or totals moved from a document as it no longer was.
 */
describe('embedded SQLite read-model store: two connections writing the same documents at once', () => {
  const BATCHES = 40;
  const DOCUMENTS = 400;

  it('never writes a batch folded from documents another connection changed since: latest version wins, totals match the documents', async () => {
    const dir = tempDir('read-models-writers');
    const path = join(dir, 'read-models.sqlite');
    const store = new SqliteReadModelStore({ path });
    try {
      await store.init();
      const generation = await store.createGeneration('org-status');
      // The children are the built fixture (npm test builds first).
      const writers = [0, 1].map((writer) =>
        spawn(process.execPath, ['dist/test/read-models/fixtures/write-same-documents.js', path, String(generation), String(writer), String(BATCHES), String(DOCUMENTS)], {
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      const said = (child: ChildProcess, line: string) =>
        new Promise<void>((resolve, reject) => {
          createInterface({ input: child.stdout! }).on('line', (text) => text === line && resolve());
          child.once('exit', (code) => reject(new Error(`writer exited with ${code} before saying ${line}`)));
        });
      await Promise.all(writers.map((child) => said(child, 'ready')));
      const done = writers.map((child) => said(child, 'done'));
      for (const child of writers) child.stdin!.write('go\n');
      await Promise.all(done);

      // The last batch of writer 1 has the highest position of all: it wins every document whatever the order of the commits.
      const documents = await store.dump('agent_status', generation);
      expect(documents).toHaveLength(DOCUMENTS);
      const stale = documents.filter(({ id, version, document }) => version !== changeVersion(BigInt(2 * BATCHES), Number(id.slice(1))) || document.writer !== 1 || document.batch !== BATCHES - 1);
      expect(stale.map(({ id, version }) => `${id} ${version}`)).toEqual([]);
      expect(Object.fromEntries(await store.counts({ collection: 'agent_status', group: 'o1', generation }))).toEqual(countedByKeyStatus(documents, 'o1'));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('embedded SQLite read-model store: its folder replaced under the running server', () => {
  it("activates, makes or drops no generation once a folder replaced the store's (an empty one, or one a restore filled): refused, nothing made there", async () => {
    const parent = tempDir('read-models-replaced');
    const dir = join(parent, 'data');
    mkdirSync(dir);
    const store = new SqliteReadModelStore({ path: join(dir, 'read-models.sqlite') });
    try {
      await store.init();
      const rebuilt = await store.createGeneration('pending-keys');
      renameSync(dir, `${dir}.moved`);
      mkdirSync(dir);
      await expect(store.activate('pending-keys', rebuilt)).rejects.toThrow(/is not the file this server opened/);
      expect(readdirSync(dir)).toEqual([]);
      // A restore put a store back at the path: not the one this connection opened either.
      const restored = new SqliteReadModelStore({ path: join(dir, 'read-models.sqlite') });
      await restored.init();
      await restored.close();
      await expect(store.activate('pending-keys', rebuilt)).rejects.toThrow(/is not the file this server opened/);
      expect(await store.activeGeneration('pending-keys')).toBe(1);
      // Nor is a generation made or dropped in a file no path leads to.
      await expect(store.createGeneration('pending-keys')).rejects.toThrow(/is not the file this server opened/);
      await expect(store.dropGeneration('pending-keys', rebuilt)).rejects.toThrow(/is not the file this server opened/);
      expect(await store.inactiveGenerations('pending-keys')).toEqual([rebuilt]);
    } finally {
      await store.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
