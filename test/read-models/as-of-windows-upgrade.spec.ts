import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { join } from 'node:path';
import { asOfProjection } from '../../projections/as-of.projection';
import { changeVersion, versionChanges, type ReadModelDocument } from '../../projections/document-change';
import { AsOfQuery } from '../../src/application/queries/as-of-query';
import { decode } from '../../src/domain/events/decode';
import type { DocumentQuery, ReadModelStore } from '../../src/read-models/read-model-store.port';
import { project, RecordingLog } from '../projections/support/recording-log';
import { syntheticCommands } from './fixtures/synthetic-log';
import { MONGODB_URL, openMongo, openSqlite, tempDir } from './support/stores';

const log = new RecordingLog();
// Two hours between commands: DAILY and WEEKLY windows replace one another in the same browsers.
for (const command of syntheticCommands({ orgs: 1, agentsPerOrg: 6, commands: 300, seed: 9, secondsBetweenCommands: 7200 })) log.record(command);
const orgId = log.events[0].metadata.orgId;
const head = log.events[log.events.length - 1].position;

/** The windows as this release's projection writes them, by id. */
const expected = project(asOfProjection, log.events).dump('browser_windows');
/** The windows as the release before wrote them: no `replacedAt`, each written once at its event. */
const earlier = expected.map(({ id, document: { replacedAt: _replaced, ...document } }) => ({ id, version: changeVersion(BigInt(document.position as number), 0), document }));

const byId = (documents: Array<{ id: string; document: ReadModelDocument }>) => Object.fromEntries(documents.map(({ id, document }) => [id, document]));

/** Fills the store's other as-of collections as the release before did (their shape is unchanged), then checks the windows and the query. */
async function expectUpgraded(store: ReadModelStore, plansWithoutIndexes?: string): Promise<void> {
  const others = log.events.flatMap((event) => versionChanges(event.position, asOfProjection.project(decode(event)))).filter(({ change }) => change.collection !== 'browser_windows');
  await store.apply('as-of', 1, others, head);
  expect(expected.filter(({ document }) => document.replacedAt !== '9999-12-31T23:59:59.999Z').length).toBeGreaterThan(10);
  expect(byId(await store.dump('browser_windows'))).toEqual(byId(expected));

  // The query reads a browser's window not replaced by T, through the index on the org, then
  // replacedAt, then from (FerretDB 1.x plans none: its equality pushed down). SQLite checks `from`
  // on the index entry before it reads the row (a deferred seek): it reads only the rows it returns.
  const reduce = jest.spyOn(store, 'reduceJson');
  const at = new Date(Date.parse(log.events[Math.floor(log.events.length / 2)].metadata.occurredAt));
  await new AsOfQuery(store).whoCouldAct(orgId, at, at);
  const windows = (reduce.mock.calls[0][0] as DocumentQuery[]).find((query) => query.collection === 'browser_windows') as DocumentQuery;
  reduce.mockRestore();
  const plan = await store.explain(windows);
  if (plansWithoutIndexes) expect(plan.detail.join(' / ')).toContain(`-> 'orgId'::text) @> `);
  else expect(plan.detail.join(' / ')).toMatch(/^SEARCH browser_windows_1 USING INDEX browser_windows_1__orgId_replacedAt_from \(orgId=\? AND replacedAt>\?\)$|IXSCAN.*orgId_replacedAt_from/);
}

describe('as-of windows of a read model the release before wrote (without replacedAt) are upgraded in place at start', () => {
  it('embedded SQLite: the column is added and filled from each browser next window, in the documents too, and the index on from dropped', async () => {
    const dir = tempDir('read-models-as-of');
    const db = new Database(join(dir, 'read-models.sqlite'));
    db.exec(`
      CREATE TABLE read_model_generations (model TEXT PRIMARY KEY, active INTEGER NOT NULL, latest INTEGER NOT NULL);
      INSERT INTO read_model_generations VALUES ('as-of', 1, 1);
      CREATE TABLE browser_windows_1 (id TEXT PRIMARY KEY, version TEXT NOT NULL, document TEXT NOT NULL, "orgId", "from");
      CREATE INDEX "browser_windows_1__orgId_from" ON browser_windows_1 ("orgId", "from");`);
    const insert = db.prepare('INSERT INTO browser_windows_1 VALUES (?, ?, ?, ?, ?)');
    for (const { id, version, document } of earlier) insert.run(id, version, JSON.stringify(document), document.orgId as string, document.from as string);
    db.close();
    const notes: string[] = [];
    const opened = await openSqlite(dir, { onInPlaceChange: (message) => notes.push(message) });
    try {
      await opened.store.init();
      await opened.store.init();
      // The operator upgrading is told what changed, once.
      expect(notes).toEqual([`read model as-of: browser_windows_1 upgraded in place (field columns filled from ${earlier.length} documents, indexes built on them)`]);
      await expectUpgraded(opened.store);
      const indexes = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
      try {
        expect(indexes.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'browser_windows_1' ORDER BY name").pluck().all()).toEqual([
          'browser_windows_1__orgId_agentId_browserId_replacedAt',
          'browser_windows_1__orgId_replacedAt_from',
          'sqlite_autoindex_browser_windows_1_1',
        ]);
      } finally {
        indexes.close();
      }
    } finally {
      await opened.store.close();
      await opened.cleanup();
    }
  });

  (MONGODB_URL ? it : it.skip)('MongoDB: a collection without the index on replacedAt gets the field from each browser next window, and the index on from dropped', async () => {
    const notes: string[] = [];
    const opened = await openMongo({ onInPlaceChange: (message) => notes.push(message) });
    const client = await MongoClient.connect(MONGODB_URL as string);
    try {
      const windows = client.db(opened.database).collection<{ _id: string }>('browser_windows_1');
      await windows.insertMany(earlier.map(({ id, version, document }) => ({ ...document, _id: id, _v: version })));
      await windows.createIndex({ orgId: 1, from: 1 }, { name: 'orgId_from' });
      await opened.store.init();
      await opened.store.init();
      expect(notes).toEqual([`read model as-of: browser_windows_1 upgraded in place (replacedAt filled in ${earlier.length} documents, indexes built on them)`]);
      await expectUpgraded(opened.store, opened.plansWithoutIndexes);
      expect((await windows.indexes()).map((index) => index.name).sort()).toEqual(['_id_', 'orgId_agentId_browserId_replacedAt', 'orgId_replacedAt_from']);
    } finally {
      await client.close();
      await opened.cleanup();
    }
  });
});
