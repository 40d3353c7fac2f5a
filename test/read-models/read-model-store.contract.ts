/**
 * One contract for every read-model store adapter: each spec file calls it with a way to open a
 * fresh store. The change vocabulary is checked against the in-memory reference semantics.
 */
import fc from 'fast-check';
import { threadId } from 'node:worker_threads';
import { changeVersion, type Conditions, type DocumentChange, type ReadModelDocument, type VersionedChange } from '../../projections/document-change';
import type { DocumentQuery, ReadModelStore } from '../../src/read-models/read-model-store.port';
import { encodeCursor } from '../../src/application/queries/cursor';
import { ReadQueries } from '../../src/application/queries/read-queries';
import { InMemoryDocuments } from '../../projections/in-memory-documents';
import { PROJECTIONS } from '../../projections/projections';
import { countsName } from '../../src/read-models/read-model-schema';
import { REDUCED_HERE_UP_TO } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { countedByKeyStatus } from './support/counted-documents';
import { expectBoundedAuditScans, scanEntries } from './support/audit-scan';

export interface OpenedStore {
  store: ReadModelStore;
  /** Set when the server never plans a query with an index (FerretDB 1.x): why. */
  plansWithoutIndexes?: string;
  /** Drops a table or collection behind the store's back, as if a store of an older version had made the data. */
  dropStored(name: string): Promise<void>;
  /** Removes the projection versions the store recorded, as a store of a release before them was left. */
  forgetProjectionVersions(): Promise<void>;
  /** True when reduceJson runs a large read on a worker thread (the embedded store). */
  reducesOnAWorkerThread?: boolean;
  /** A second connection to the same data, as another process would have. */
  reopen(): Promise<ReadModelStore>;
  cleanup(): Promise<void>;
}

const v = (position: number, index = 0): string => changeVersion(BigInt(position), index);
const upsert = (id: string, document: Record<string, unknown>): DocumentChange =>
  ({ kind: 'upsert', collection: 'agent_browsers', id, document }) as DocumentChange;
const browser = (id: string, agentId: string, promptFrequency: string) =>
  upsert(id, { orgId: 'o1', agentId, browserId: id, promptFrequency, nested: { k: 'a' } });

export function describeReadModelStore(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name} read-model store (contract)`, () => {
    let opened: OpenedStore;
    let store: ReadModelStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.init();
      await store.init();
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    /** A fresh generation of org-status to work in, so tests do not see each other's documents. */
    const freshGeneration = () => store.createGeneration('org-status');
    // Each call gives the store changes of its own, as the projection runner does: the store takes
    // them (see ReadModelStore.apply), and a replay derives them from the log again.
    const apply = (generation: number, changes: VersionedChange[], checkpoint = 1n) =>
      store.apply('org-status', generation, structuredClone(changes), checkpoint);
    /**
     * Every query served by an index; on a server that plans none (FerretDB), every equality pushed
     * down to PostgreSQL, the best it does (it scans for its findOne by _id too).
     */
    const expectServedByIndexes = async (issued: DocumentQuery[], { pushdownShown = false } = {}) => {
      for (const query of issued) {
        const plan = await store.explain(query);
        const shown = `${JSON.stringify(query.conditions)} by ${query.orderBy}: ${plan.detail.join(' / ')}`;
        if (opened.plansWithoutIndexes) {
          if (pushdownShown) expect(shown).toMatch(/filterPushdown: true/);
          for (const { field } of query.conditions.filter(({ op }) => op === 'eq')) expect(shown).toContain(`-> '${field}'::text) @> `);
        } else expect({ shown, indexed: plan.indexed }).toEqual({ shown, indexed: true });
      }
    };
    const dumpDocuments = async (generation: number) =>
      (await store.dump('agent_browsers', generation)).map(({ id, version, document }) => ({ id, version, document }));

    it('starts at generation 1 with no checkpoint, and init() is idempotent', async () => {
      expect(await store.activeGeneration('audit-log')).toBe(1);
      expect(await store.checkpoint('audit-log')).toBeUndefined();
      expect(await store.inactiveGenerations('audit-log')).toEqual([]);
    });

    it('applies changes, records the checkpoint and finds the documents', async () => {
      const g = await freshGeneration();
      await apply(g, [
        { change: browser('b1', 'x', 'DAILY'), version: v(1) },
        { change: browser('b2', 'y', 'WEEKLY'), version: v(1, 1) },
        { change: { kind: 'patch', collection: 'agent_browsers', id: 'b1', set: { promptFrequency: 'WEEKLY', 'nested.k': 'b' } }, version: v(2) },
      ], 2n);
      expect(await store.checkpoint('org-status', g)).toBe(2n);
      const found = await store.find({ collection: 'agent_browsers', generation: g, conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }], orderBy: 'agentId' });
      expect(found).toEqual([
        { orgId: 'o1', agentId: 'x', browserId: 'b1', promptFrequency: 'WEEKLY', nested: { k: 'b' } },
        { orgId: 'o1', agentId: 'y', browserId: 'b2', promptFrequency: 'WEEKLY', nested: { k: 'a' } },
      ]);
      await apply(g, [], 10n ** 19n);
      expect(await store.checkpoint('org-status', g)).toBe(10n ** 19n);
    });

    it('applies a change only to documents older than it: a replay changes nothing', async () => {
      const g = await freshGeneration();
      const batch: VersionedChange[] = [
        { change: browser('b1', 'x', 'DAILY'), version: v(1) },
        { change: { kind: 'patch', collection: 'agent_browsers', id: 'b1', set: { promptFrequency: 'WEEKLY' } }, version: v(2) },
        { change: browser('b2', 'x', 'DAILY'), version: v(3) },
        { change: { kind: 'delete', collection: 'agent_browsers', id: 'b2' }, version: v(4) },
        { change: browser('b3', 'x', 'DAILY'), version: v(5) },
      ];
      await apply(g, batch);
      const once = await dumpDocuments(g);
      await apply(g, batch);
      await apply(g, batch.slice(0, 1));
      expect(await dumpDocuments(g)).toEqual(once);
      expect(once.map((d) => [d.id, d.version, d.document.promptFrequency])).toEqual([
        ['b1', v(2), 'WEEKLY'],
        ['b3', v(5), 'DAILY'],
      ]);
    });

    it('patches only existing documents that match `when`; null matches a missing field', async () => {
      const g = await freshGeneration();
      await apply(g, [
        { change: upsert('b1', { orgId: 'o1', agentId: 'x', key: null, nested: { k: 'a' } }), version: v(1) },
        { change: upsert('b2', { orgId: 'o1', agentId: 'x', nested: { k: 'a' } }), version: v(1, 1) },
        { change: upsert('b3', { orgId: 'o1', agentId: 'x', key: 'set', nested: { k: 'a' } }), version: v(1, 2) },
      ]);
      for (const id of ['b1', 'b2', 'b3', 'missing']) {
        await apply(g, [{ change: { kind: 'patch', collection: 'agent_browsers', id, set: { hit: true }, when: { key: null, 'nested.k': 'a' } }, version: v(2) }]);
      }
      await apply(g, [{ change: { kind: 'patch', collection: 'agent_browsers', id: 'b3', set: { hit: 'nested' }, when: { 'nested.k': 'zzz' } }, version: v(3) }]);
      const byId = Object.fromEntries((await dumpDocuments(g)).map((d) => [d.id, d.document.hit ?? false]));
      expect(byId).toEqual({ b1: true, b2: true, b3: false });
    });

    it("gives each of a batch's `where`s its own stored documents, wheres of one shape included: null matches a missing field, booleans as stored, columns and document fields alike", async () => {
      const g = await freshGeneration();
      const stored: VersionedChange[] = [
        { change: upsert('b1', { orgId: 'o1', agentId: 'x', pinned: true, step: 0 }), version: v(1) },
        { change: upsert('b2', { orgId: 'o1', agentId: 'y', pinned: false, step: 0 }), version: v(1, 1) },
        { change: upsert('b3', { orgId: 'o2', agentId: 'x', step: 0 }), version: v(1, 2) },
        { change: upsert('b4', { orgId: 'o1', pinned: true, step: 0 }), version: v(1, 3) },
        { change: upsert('b5', { orgId: 'o2', agentId: 'y', pinned: false, step: 0 }), version: v(1, 4) },
      ];
      await apply(g, stored);
      const patchWhere = (where: Conditions, step: number): DocumentChange => ({ kind: 'patchWhere', collection: 'agent_browsers', where, set: { step } });
      // Read from the store, not the batch: every document was written by the batch before.
      const batch: VersionedChange[] = [
        { change: patchWhere({ orgId: 'o1', agentId: 'x' }, 1), version: v(2) },
        { change: patchWhere({ orgId: 'o2', agentId: 'x' }, 2), version: v(2, 1) },
        { change: patchWhere({ orgId: 'o9', agentId: 'x' }, 3), version: v(2, 2) },
        { change: patchWhere({ orgId: 'o1', agentId: null }, 4), version: v(2, 3) },
        { change: patchWhere({ orgId: 'o2', pinned: false }, 5), version: v(2, 4) },
        { change: patchWhere({ orgId: 'o1', pinned: false }, 6), version: v(2, 5) },
        { change: patchWhere({ orgId: 'o1', pinned: null }, 7), version: v(2, 6) },
      ];
      await apply(g, batch);
      const reference = new InMemoryDocuments();
      reference.apply([...stored, ...batch]);
      expect(await dumpDocuments(g)).toEqual(reference.dump('agent_browsers'));
      expect(Object.fromEntries((await dumpDocuments(g)).map((d) => [d.id, d.document.step]))).toEqual({ b1: 1, b2: 6, b3: 2, b4: 4, b5: 5 });
    });

    it('patches and deletes by `where` only the matching documents older than the change', async () => {
      const g = await freshGeneration();
      await apply(g, [
        { change: browser('b1', 'x', 'DAILY'), version: v(1) },
        { change: browser('b2', 'x', 'WEEKLY'), version: v(1, 1) },
        { change: browser('b3', 'y', 'WEEKLY'), version: v(1, 2) },
        { change: browser('b4', 'x', 'DAILY'), version: v(9) },
      ]);
      await apply(g, [
        { change: { kind: 'patchWhere', collection: 'agent_browsers', where: { orgId: 'o1', agentId: 'x' }, set: { promptFrequency: 'EVERY_TASK' } }, version: v(5) },
      ]);
      const frequencies = async () => Object.fromEntries((await dumpDocuments(g)).map((d) => [d.id, d.document.promptFrequency]));
      expect(await frequencies()).toEqual({ b1: 'EVERY_TASK', b2: 'EVERY_TASK', b3: 'WEEKLY', b4: 'DAILY' });
      await apply(g, [{ change: { kind: 'deleteWhere', collection: 'agent_browsers', where: { agentId: 'x' } }, version: v(6) }]);
      expect(await frequencies()).toEqual({ b3: 'WEEKLY', b4: 'DAILY' });
    });

    it('applies each `where` change of a batch with the same conditions to the documents stored before it', async () => {
      const g = await freshGeneration();
      await apply(g, [
        { change: browser('b1', 'x', 'DAILY'), version: v(1) },
        { change: browser('b2', 'y', 'DAILY'), version: v(1, 1) },
      ]);
      const reset = (frequency: string, version: string): VersionedChange => ({
        change: { kind: 'patchWhere', collection: 'agent_browsers', where: { orgId: 'o1', agentId: 'x' }, set: { promptFrequency: frequency } },
        version,
      });
      await apply(g, [reset('WEEKLY', v(2)), { change: browser('b3', 'x', 'DAILY'), version: v(3) }, reset('EVERY_TASK', v(4))]);
      const frequencies = Object.fromEntries((await dumpDocuments(g)).map((d) => [d.id, [d.version, d.document.promptFrequency]]));
      expect(frequencies).toEqual({ b1: [v(4), 'EVERY_TASK'], b2: [v(1, 1), 'DAILY'], b3: [v(4), 'EVERY_TASK'] });
    });

    it('applies a batch mixing `where` changes, inserts and deletes of the same documents as one change after another', async () => {
      // Inserted documents differ from the stored ones of their ids: which one a change found shows.
      const insert = (id: string, agentId: string, promptFrequency: string): DocumentChange =>
        ({ kind: 'insert', collection: 'agent_browsers', id, document: { orgId: 'o1', agentId, browserId: id, promptFrequency, nested: { k: 'inserted' } } }) as DocumentChange;
      const stored = [browser('b1', 'x', 'DAILY'), browser('b2', 'y', 'DAILY'), browser('b3', 'x', 'WEEKLY'), browser('b4', 'y', 'WEEKLY')];
      // Ids out of their order, each named again after a `where` selected it, and `where`s of other fields with the same values.
      const batch: DocumentChange[] = [
        { kind: 'patch', collection: 'agent_browsers', id: 'b3', set: { promptFrequency: 'EVERY_TASK' } },
        { kind: 'deleteWhere', collection: 'agent_browsers', where: { agentId: 'x' } },
        insert('b1', 'x', 'EVERY_TASK'),
        insert('b5', 'x', 'DAILY'),
        { kind: 'patchWhere', collection: 'agent_browsers', where: { orgId: 'o1', agentId: 'x' }, set: { promptFrequency: 'WEEKLY' } },
        { kind: 'patchWhere', collection: 'agent_browsers', where: { browserId: 'x' }, set: { promptFrequency: 'NEVER' } },
        { kind: 'delete', collection: 'agent_browsers', id: 'b2' },
        { kind: 'patchWhere', collection: 'agent_browsers', where: { orgId: 'o1', agentId: 'y' }, set: { promptFrequency: 'EVERY_TASK' } },
        insert('b2', 'y', 'DAILY'),
        { kind: 'patch', collection: 'agent_browsers', id: 'b4', set: { 'nested.k': 'b' }, when: { promptFrequency: 'EVERY_TASK' } },
        insert('b4', 'y', 'NEVER'),
        { kind: 'deleteWhere', collection: 'agent_browsers', where: { agentId: 'z' } },
      ];
      const versioned = [...stored, ...batch].map((change, i) => ({ change, version: v(i + 1) }));
      const reference = new InMemoryDocuments();
      reference.apply(versioned);
      // The documents read from this connection's last batch, then from another connection's.
      const g = await freshGeneration();
      await apply(g, versioned.slice(0, stored.length));
      await apply(g, versioned.slice(stored.length));
      expect(await dumpDocuments(g)).toEqual(reference.dump('agent_browsers'));
      const other = await opened.reopen();
      try {
        const h = await freshGeneration();
        await apply(h, versioned.slice(0, stored.length));
        await other.apply('org-status', h, versioned.slice(stored.length), 1n);
        expect(await dumpDocuments(h)).toEqual(reference.dump('agent_browsers'));
      } finally {
        await other.close();
      }
    });

    it('skips an upsert older than the stored document, and never replaces a newer one', async () => {
      const g = await freshGeneration();
      await apply(g, [{ change: browser('b1', 'x', 'WEEKLY'), version: v(7) }]);
      await apply(g, [
        { change: browser('b1', 'x', 'DAILY'), version: v(3) },
        { change: browser('b2', 'x', 'DAILY'), version: v(3, 1) },
      ]);
      expect((await dumpDocuments(g)).map((d) => [d.id, d.version, d.document.promptFrequency])).toEqual([
        ['b1', v(7), 'WEEKLY'],
        ['b2', v(3, 1), 'DAILY'],
      ]);
    });

    it('inserts a document only when it is missing, whatever its version', async () => {
      const g = await freshGeneration();
      const insert = (promptFrequency: string, version: string): VersionedChange => ({
        change: { kind: 'insert', collection: 'agent_browsers', id: 'b1', document: { orgId: 'o1', agentId: 'x', promptFrequency } },
        version,
      });
      await apply(g, [insert('DAILY', v(5)), { change: browser('b2', 'x', 'DAILY'), version: v(5, 1) }, insert('WEEKLY', v(6))]);
      await apply(g, [insert('EVERY_TASK', v(1)), insert('EVERY_TASK', v(9))]);
      expect((await dumpDocuments(g)).map((d) => [d.id, d.version, d.document.promptFrequency])).toEqual([
        ['b1', v(5), 'DAILY'],
        ['b2', v(5, 1), 'DAILY'],
      ]);
    });

    it('applies any sequence of changes, replays included, as the reference semantics do', async () => {
      const ids = fc.constantFrom('b1', 'b2', 'b3', 'b4');
      const agent = fc.constantFrom('x', 'y');
      // As in every projection, a document's id fixes the fields a `where` selects it by (a
      // browser belongs to one agent): see DocumentChange's contract in document-change.ts.
      const agentOf = (id: string): string => (id === 'b1' || id === 'b3' ? 'x' : 'y');
      const frequency = fc.constantFrom('EVERY_TASK', 'DAILY', 'WEEKLY');
      const change: fc.Arbitrary<DocumentChange> = fc.oneof(
        fc.tuple(ids, frequency).map(([id, f]) => browser(id, agentOf(id), f)),
        ids.map((id): DocumentChange => ({ ...(browser(id, agentOf(id), 'DAILY') as { document: ReadModelDocument }), kind: 'insert', collection: 'agent_browsers', id })),
        fc.tuple(ids, frequency, fc.option(agent, { nil: undefined })).map(
          ([id, f, when]): DocumentChange => ({ kind: 'patch', collection: 'agent_browsers', id, set: { promptFrequency: f, 'nested.k': f }, ...(when && { when: { agentId: when } }) }),
        ),
        fc.tuple(agent, frequency).map(([agentId, f]): DocumentChange => ({ kind: 'patchWhere', collection: 'agent_browsers', where: { orgId: 'o1', agentId }, set: { promptFrequency: f } })),
        ids.map((id): DocumentChange => ({ kind: 'delete', collection: 'agent_browsers', id })),
        agent.map((agentId): DocumentChange => ({ kind: 'deleteWhere', collection: 'agent_browsers', where: { agentId } })),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 25 }), fc.nat(), fc.nat(), async (changes, a, b) => {
          const versioned = changes.map((c, i) => ({ change: c, version: v(i + 1) }));
          // A crash after `cut` changes, and a restart from an earlier checkpoint.
          const cut = a % (versioned.length + 1);
          const restart = Math.min(b % (versioned.length + 1), cut);
          const g = await freshGeneration();
          await apply(g, versioned.slice(0, cut));
          await apply(g, versioned.slice(restart));
          const reference = new InMemoryDocuments();
          reference.apply(versioned);
          expect(await dumpDocuments(g)).toEqual(reference.dump('agent_browsers'));
          await store.dropGeneration('org-status', g);
        }),
        { numRuns: 25 },
      );
    });

    describe('counts', () => {
      const agent = (id: string, orgId: string, keyStatus: string | null): DocumentChange => ({
        kind: 'upsert',
        collection: 'agent_status',
        id,
        document: { orgId, agentId: id, keyStatus, role: 'MEMBER' },
      });
      const counts = async (generation: number, group: string) => Object.fromEntries(await store.counts({ collection: 'agent_status', generation, group }));

      it('keeps per group how many documents hold each value, as changes move them', async () => {
        const g = await freshGeneration();
        await apply(g, [
          { change: agent('a', 'o1', 'PENDING'), version: v(1) },
          { change: agent('b', 'o1', 'PENDING'), version: v(1, 1) },
          { change: agent('c', 'o2', 'NONE'), version: v(1, 2) },
          { change: { kind: 'insert', collection: 'agent_status', id: 'd', document: { orgId: 'o1', agentId: 'd', keyStatus: 'NONE' } }, version: v(1, 3) },
        ]);
        expect(await counts(g, 'o1')).toEqual({ PENDING: 2, NONE: 1 });
        expect(await counts(g, 'o2')).toEqual({ NONE: 1 });
        // PENDING -> ACTIVE -> REVOKED, a patch whose `when` fails, a removal, in one batch.
        await apply(g, [
          { change: { kind: 'patch', collection: 'agent_status', id: 'a', set: { keyStatus: 'ACTIVE' }, when: { keyStatus: 'PENDING' } }, version: v(2) },
          { change: { kind: 'patch', collection: 'agent_status', id: 'a', set: { keyStatus: 'REVOKED' } }, version: v(3) },
          { change: { kind: 'patch', collection: 'agent_status', id: 'b', set: { keyStatus: 'LOCKED' }, when: { keyStatus: 'ACTIVE' } }, version: v(3, 1) },
          { change: { kind: 'delete', collection: 'agent_status', id: 'd' }, version: v(4) },
        ]);
        expect(await counts(g, 'o1')).toEqual({ REVOKED: 1, PENDING: 1 });
        expect(await counts(g, 'nobody')).toEqual({});
      });

      it('refuses changes by conditions to a counted collection, and counts of a collection not counted', async () => {
        const g = await freshGeneration();
        await expect(apply(g, [{ change: { kind: 'deleteWhere', collection: 'agent_status', where: { orgId: 'o1' } }, version: v(1) }])).rejects.toThrow(TypeError);
        await expect(store.counts({ collection: 'agent_browsers', generation: g, group: 'o1' })).rejects.toThrow(TypeError);
      });

      it('counts what the documents are after any changes, replays and restarts included', async () => {
        const ids = fc.constantFrom('a', 'b', 'c', 'd');
        const status = fc.constantFrom('NONE', 'PENDING', 'ACTIVE', 'REVOKED', null);
        const change: fc.Arbitrary<DocumentChange> = fc.oneof(
          fc.tuple(ids, fc.constantFrom('o1', 'o2'), status).map(([id, org, s]) => agent(id, org, s)),
          fc.tuple(ids, status, fc.option(status, { nil: undefined })).map(
            ([id, s, when]): DocumentChange => ({ kind: 'patch', collection: 'agent_status', id, set: { keyStatus: s }, ...(when !== undefined && { when: { keyStatus: when } }) }),
          ),
          ids.map((id): DocumentChange => ({ kind: 'delete', collection: 'agent_status', id })),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 20 }), fc.nat(), fc.nat(), fc.nat(), async (changes, a, b, c) => {
            const versioned = changes.map((ch, i) => ({ change: ch, version: v(i + 1) }));
            // A crash after `cut` changes, a restart from an earlier checkpoint with other batch boundaries, and the same batch twice.
            const cut = a % (versioned.length + 1);
            const restart = Math.min(b % (versioned.length + 1), cut);
            const split = restart + (c % (versioned.length - restart + 1));
            const g = await freshGeneration();
            await apply(g, versioned.slice(0, cut));
            await apply(g, versioned.slice(restart, split));
            await apply(g, versioned.slice(restart, split));
            await apply(g, versioned.slice(split));
            const reference = new InMemoryDocuments();
            reference.apply(versioned);
            for (const group of ['o1', 'o2']) {
              expect(await counts(g, group)).toEqual(countedByKeyStatus(reference.dump('agent_status'), group));
              // Selected by the indexed fields the changes moved: a stale index entry would show here.
              const found = await store.find({
                collection: 'agent_status',
                generation: g,
                conditions: [{ field: 'orgId', op: 'eq', value: group }, { field: 'keyStatus', op: 'in', value: ['NONE', 'PENDING', 'ACTIVE', 'REVOKED'] }],
                orderBy: 'agentId',
              });
              expect(found).toEqual(reference.dump('agent_status').map(({ document }) => document).filter((d) => d.orgId === group && d.keyStatus !== null));
            }
            await store.dropGeneration('org-status', g);
          }),
          { numRuns: 20 },
        );
      });

      it('counts the documents of a store made before it kept counts, once, at start', async () => {
        const active = await store.activeGeneration('org-status');
        await store.apply('org-status', active, [
          { change: agent('old-a', 'o-old', 'ACTIVE'), version: v(1) },
          { change: agent('old-b', 'o-old', 'ACTIVE'), version: v(1, 1) },
          { change: agent('old-c', 'o-old', 'PENDING'), version: v(1, 2) },
        ], 1n);
        await opened.dropStored(countsName('agent_status', active));
        const restarted = await opened.reopen();
        try {
          await restarted.init();
          await restarted.init();
          const oldCounts = async () => Object.fromEntries(await restarted.counts({ collection: 'agent_status', group: 'o-old' }));
          expect(await oldCounts()).toEqual({ ACTIVE: 2, PENDING: 1 });
          await restarted.apply('org-status', active, [{ change: { kind: 'patch', collection: 'agent_status', id: 'old-c', set: { keyStatus: 'ACTIVE' } }, version: v(2) }], 2n);
          expect(await oldCounts()).toEqual({ ACTIVE: 3 });
        } finally {
          await restarted.close();
        }
      });

      it('counts a rebuilt generation on its own and reads the active one by default', async () => {
        const g = await freshGeneration();
        await apply(g, [{ change: agent('a', 'o3', 'ACTIVE'), version: v(1) }]);
        expect(await counts(g, 'o3')).toEqual({ ACTIVE: 1 });
        expect(Object.fromEntries(await store.counts({ collection: 'agent_status', group: 'o3' }))).toEqual({});
      });
    });

    describe('queries', () => {
      let g: number;
      const query = (q: Omit<DocumentQuery, 'collection' | 'generation'>) => store.find({ collection: 'agent_browsers', generation: g, ...q });
      beforeAll(async () => {
        g = await freshGeneration();
        await apply(
          g,
          ['a', 'b', 'c', 'd', 'e'].map((agentId, i) => ({ change: browser(`b-${agentId}`, agentId, i % 2 ? 'DAILY' : 'WEEKLY'), version: v(1, i) })),
        );
      });

      it('selects with eq, ranges and in, in order, limited', async () => {
        const ids = (docs: Array<Record<string, unknown>>) => docs.map((d) => d.agentId);
        const org = { field: 'orgId', op: 'eq', value: 'o1' } as const;
        expect(ids(await query({ conditions: [org], orderBy: 'agentId' }))).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(ids(await query({ conditions: [org, { field: 'agentId', op: 'gt', value: 'b' }], orderBy: 'agentId', limit: 2 }))).toEqual(['c', 'd']);
        expect(ids(await query({ conditions: [org, { field: 'agentId', op: 'gte', value: 'b' }, { field: 'agentId', op: 'lt', value: 'd' }], orderBy: 'agentId' }))).toEqual(['b', 'c']);
        expect(ids(await query({ conditions: [{ field: 'agentId', op: 'lte', value: 'b' }], orderBy: 'agentId' }))).toEqual(['a', 'b']);
        expect(ids(await query({ conditions: [org, { field: 'agentId', op: 'in', value: ['e', 'a', 'zz'] }], orderBy: 'agentId' }))).toEqual(['a', 'e']);
        expect(await query({ conditions: [org, { field: 'agentId', op: 'in', value: [] }], orderBy: 'agentId' })).toEqual([]);
        expect(await query({ conditions: [{ field: 'orgId', op: 'eq', value: 'o2' }], orderBy: 'agentId' })).toEqual([]);
      });

      it('finds the last documents first when descending, as JSON too (its last value then the smallest), by an index read backwards', async () => {
        const ids = (docs: Array<Record<string, unknown>>) => docs.map((d) => d.agentId);
        const org = { field: 'orgId', op: 'eq', value: 'o1' } as const;
        const q = { collection: 'agent_browsers', generation: g, conditions: [org], orderBy: 'agentId', descending: true } as const;
        expect(ids(await store.find(q))).toEqual(['e', 'd', 'c', 'b', 'a']);
        expect(ids(await store.find({ ...q, limit: 1 }))).toEqual(['e']);
        expect(ids(await store.find({ ...q, conditions: [org, { field: 'agentId', op: 'lt', value: 'd' }], limit: 2 }))).toEqual(['c', 'b']);
        expect(await store.findJson({ ...q, limit: 2 }, ['orgId'])).toMatchObject({ count: 2, last: 'd' });
        // The latest of a kind in an active generation (the org's latest checkpoint): its index read backwards.
        const latest = { field: 'type', op: 'eq', value: 'CheckpointSigned' } as const;
        await expectServedByIndexes([{ collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }, latest], orderBy: 'position', descending: true, limit: 1 }]);
      });

      it('gives what find gives as JSON text without the omitted fields, and the last orderBy value', async () => {
        const q = { collection: 'agent_browsers', generation: g, conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }], orderBy: 'agentId', limit: 3 } as const;
        const found = await store.find(q);
        expect(found.map((d) => d.agentId)).toEqual(['a', 'b', 'c']);
        const ndjson = (texts: string[]) => Buffer.from(texts.map((text) => `${text}\n`).join(''));
        expect(await store.findJson(q, [])).toEqual({ ndjson: ndjson(found.map((d) => JSON.stringify(d))), count: 3, last: 'c' });
        expect(await store.findJson(q, ['orgId', 'browserId'])).toEqual({
          ndjson: ndjson(found.map(({ orgId: _o, browserId: _b, ...rest }) => JSON.stringify(rest))),
          count: 3,
          last: 'c',
        });
        expect(await store.findJson({ ...q, conditions: [{ field: 'orgId', op: 'eq', value: 'o2' }] }, ['orgId'])).toEqual({ ndjson: Buffer.alloc(0), count: 0, last: undefined });
      });

      it('counts the documents the conditions select, and finds one by its id', async () => {
        const count = (conditions: DocumentQuery['conditions']) => store.count({ collection: 'agent_browsers', generation: g, conditions });
        const org = { field: 'orgId', op: 'eq', value: 'o1' } as const;
        expect(await count([org])).toBe(5);
        expect(await count([org, { field: 'agentId', op: 'lt', value: 'c' }])).toBe(2);
        expect(await count([org, { field: 'agentId', op: 'in', value: ['e', 'a', 'zz'] }])).toBe(2);
        expect(await count([org, { field: 'agentId', op: 'in', value: [] }])).toBe(0);
        expect(await count([{ field: 'orgId', op: 'eq', value: 'o2' }])).toBe(0);
        await expect(count([{ field: 'orgId', op: 'eq', value: { $ne: null } as unknown as string }])).rejects.toThrow(TypeError);
        await expect(count([{ field: 'promptFrequency', op: 'eq', value: 'DAILY' }])).rejects.toThrow(TypeError);
        expect(await store.findById('agent_browsers', 'b-c', g)).toEqual((await query({ conditions: [org, { field: 'agentId', op: 'eq', value: 'c' }], orderBy: 'agentId' }))[0]);
        expect(await store.findById('agent_browsers', 'b-zz', g)).toBeUndefined();
        await expect(store.findById('agent_browsers', { $ne: null } as unknown as string, g)).rejects.toThrow(TypeError);
      });

      it('never lets a filter value act as an operator', async () => {
        const operator = { $ne: null } as unknown as string;
        await expect(query({ conditions: [{ field: 'orgId', op: 'eq', value: operator }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(query({ conditions: [{ field: 'orgId', op: 'in', value: [operator] }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(query({ conditions: [{ field: 'orgId', op: 'in', value: operator as unknown as string[] }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(store.counts({ collection: 'agent_status', group: operator })).rejects.toThrow(TypeError);
        // An operator spelled as a string is just a string that matches nothing.
        expect(await query({ conditions: [{ field: 'orgId', op: 'eq', value: '{"$ne":null}' }], orderBy: 'agentId' })).toEqual([]);
        expect(await query({ conditions: [{ field: 'orgId', op: 'eq', value: '$ne' }], orderBy: 'agentId' })).toEqual([]);
      });

      it('only queries indexed fields', async () => {
        await expect(query({ conditions: [{ field: 'promptFrequency', op: 'eq', value: 'DAILY' }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(query({ conditions: [{ field: '$where', op: 'eq', value: '1' }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(query({ conditions: [], orderBy: "agentId') --" })).rejects.toThrow(TypeError);
      });
    });

    it('serves every zero-trust status query by an index or a key range, and reads the totals by key', async () => {
      const issued: DocumentQuery[] = [];
      const recording: ReadModelStore = Object.assign(Object.create(store) as ReadModelStore, {
        find: (query: DocumentQuery) => {
          issued.push(query);
          return store.find(query);
        },
      });
      const active = await store.activeGeneration('org-status');
      await store.apply('org-status', active, [
        { change: { kind: 'upsert', collection: 'agent_status', id: 'plan~a', document: { orgId: 'plan', agentId: 'a', role: 'MEMBER', keyStatus: 'ACTIVE', activeKey: null } }, version: v(1) },
        { change: { kind: 'upsert', collection: 'agent_browsers', id: 'plan~a~b', document: { orgId: 'plan', agentId: 'a', browserId: 'b', promptFrequency: 'DAILY' } }, version: v(1, 1) },
      ], 1n);
      const queries = new ReadQueries(recording);
      for (const filters of [{}, { keyStatus: 'ACTIVE' }, { role: 'MEMBER' }, { role: 'MEMBER', keyStatus: 'ACTIVE' }]) {
        for (const cursor of [undefined, encodeCursor('')]) {
          const status = await queries.zeroTrustStatus('plan', filters, 50, cursor);
          expect(status.totals.byKeyStatus.ACTIVE).toBe(1);
        }
      }
      expect(issued.filter((q) => q.collection === 'agent_browsers')).not.toHaveLength(0);
      await expectServedByIndexes(issued, { pushdownShown: true });
      if (opened.plansWithoutIndexes) process.stdout.write(`NOT INDEXED: ${opened.plansWithoutIndexes}; every equality pushed down\n`);
    });

    it('serves every audit-log page and export read on from a position (`after`) by an index, alone or with a filter or a cursor', async () => {
      const issued: DocumentQuery[] = [];
      const recording: ReadModelStore = Object.assign(Object.create(store) as ReadModelStore, {
        find: (query: DocumentQuery) => (issued.push(query), store.find(query)),
        findJson: (query: DocumentQuery, omit: readonly string[]) => (issued.push(query), store.findJson(query, omit)),
      });
      const active = await store.activeGeneration('audit-log');
      const entry = (position: number) => ({ orgId: 'resume', position, type: 'AgentAdded', actor: 'root', subject: `a${position % 2}`, occurredAt: new Date(position * 1000).toISOString() });
      await store.apply(
        'audit-log',
        active,
        [1, 2, 3, 4].map((position) => ({ change: { kind: 'upsert', collection: 'audit_log', id: `resume-${position}`, document: entry(position) } as DocumentChange, version: v(position) })),
        4n,
      );
      const queries = new ReadQueries(recording);
      const positions = (items: ReadModelDocument[]) => items.map((item) => item.position);
      for (const filters of [{}, { type: 'AgentAdded' }, { actor: 'root' }, { subject: 'a1' }]) {
        const page = await queries.auditLog('resume', { ...filters, after: 1 }, 50);
        expect(positions(page.items)).toEqual('subject' in filters ? [3] : [2, 3, 4]);
        expect(positions((await queries.auditLog('resume', { ...filters, after: 1 }, 50, encodeCursor(2))).items)).toEqual('subject' in filters ? [3] : [3, 4]);
        let lines = '';
        for await (const chunk of queries.auditExport('resume', { ...filters, after: 2 })) lines += chunk.toString('utf8');
        expect(lines.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { position: number }).position)).toEqual('subject' in filters ? [3] : [3, 4]);
      }
      expect(issued.filter((query) => query.conditions.filter(({ field }) => field === 'position').length !== 1)).toEqual([]);
      await expectServedByIndexes(issued);
    });

    it('examines at most a scan budget of audit-log entries a page when the filters match few of many, and the cursors still give every match', async () => {
      const active = await store.activeGeneration('audit-log');
      const entries = scanEntries(1, 'KeyRequested', 'KeyApproved');
      await store.apply(
        'audit-log',
        active,
        entries.map(({ position, ...entry }) => ({
          change: { kind: 'upsert', collection: 'audit_log', id: `scan-${position}`, document: { orgId: 'scan', position, ...entry } } as DocumentChange,
          version: v(position),
        })),
        BigInt(entries.length),
      );
      await expectBoundedAuditScans(store, 'scan', entries, { plansShowIndexes: !opened.plansWithoutIndexes });
    }, 180_000); // FerretDB 1.x scans and sorts the org's entries for every read: a few hundred of them here

    it('exports an audit log of several pages whole, letting the event loop turn between pages', async () => {
      const active = await store.activeGeneration('audit-log');
      const entries = 2500;
      const entry = (position: number) => ({ orgId: 'export', position, type: 'AgentAdded', actor: 'root', subject: null, occurredAt: new Date(position * 1000).toISOString() });
      await store.apply(
        'audit-log',
        active,
        Array.from({ length: entries }, (_, i) => ({ change: { kind: 'upsert', collection: 'audit_log', id: `export-${i}`, document: entry(i) } as DocumentChange, version: v(i) })),
        BigInt(entries),
      );
      let turned = false;
      setImmediate(() => (turned = true));
      let turnedBeforeTheEnd = false;
      const chunks: Buffer[] = [];
      for await (const chunk of new ReadQueries(store).auditExport('export', {})) {
        turnedBeforeTheEnd ||= turned;
        chunks.push(chunk);
      }
      const lines = Buffer.concat(chunks).toString().trimEnd().split('\n').map((line) => JSON.parse(line) as ReadModelDocument);
      expect(lines.map((line) => line.position)).toEqual(Array.from({ length: entries }, (_, i) => i));
      const { orgId: _orgId, ...exported } = entry(0);
      expect(lines[0]).toEqual(exported);
      expect(turnedBeforeTheEnd).toBe(true);
    });

    it('rebuilds into a new generation while the active one keeps serving, then switches', async () => {
      const active = await store.activeGeneration('pending-keys');
      const pending = (id: string, requestedPosition: number): VersionedChange => ({
        change: { kind: 'upsert', collection: 'pending_keys', id, document: { orgId: 'o1', requestId: id, requestedPosition } },
        version: v(requestedPosition),
      });
      const list = async (generation?: number) =>
        (await store.find({ collection: 'pending_keys', generation, conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }], orderBy: 'requestedPosition' })).map((d) => d.requestId);
      await store.apply('pending-keys', active, [pending('old', 1)], 1n);

      const next = await store.createGeneration('pending-keys');
      expect(next).toBeGreaterThan(active);
      expect(await store.inactiveGenerations('pending-keys')).toContain(next);
      await store.apply('pending-keys', next, [pending('new', 2)], 2n);
      expect(await list()).toEqual(['old']);
      expect(await store.checkpoint('pending-keys')).toBe(1n);

      await store.activate('pending-keys', next);
      expect(await store.activeGeneration('pending-keys')).toBe(next);
      expect(await list()).toEqual(['new']);
      expect(await store.checkpoint('pending-keys')).toBe(2n);
      await expect(store.dropGeneration('pending-keys', next)).rejects.toThrow(/active/);

      await store.dropGeneration('pending-keys', active);
      expect(await store.inactiveGenerations('pending-keys')).not.toContain(active);
      expect(await store.checkpoint('pending-keys', active)).toBeUndefined();
      const again = await store.createGeneration('pending-keys');
      expect(await list(again)).toEqual([]);
      await store.dropGeneration('pending-keys', again);
    });

    it("applies several models' batches with their own checkpoints; one whose change the store refuses is left out alone", async () => {
      const orgStatus = await freshGeneration();
      const pendingKeys = await store.createGeneration('pending-keys');
      const pending = { orgId: 'o1', requestId: 'r1', requestedPosition: 3 };
      const failed = await store.applyBatches([
        { model: 'org-status', generation: orgStatus, changes: [{ change: browser('b1', 'x', 'DAILY'), version: v(3) }], checkpoint: 3n, checkpointEventId: 'e3' },
        {
          model: 'pending-keys',
          generation: pendingKeys,
          changes: [
            // orgId is a string: no store can set a field inside it.
            { change: { kind: 'upsert', collection: 'pending_keys', id: 'r1', document: pending }, version: v(3) },
            { change: { kind: 'patch', collection: 'pending_keys', id: 'r1', set: { 'orgId.inside': 1 } }, version: v(3, 1) },
          ],
          checkpoint: 3n,
        },
      ]);
      expect([...failed.keys()]).toEqual(['pending-keys']);
      expect(await store.checkpointEvent('org-status', orgStatus)).toEqual({ position: 3n, eventId: 'e3' });
      expect(await store.checkpoint('pending-keys', pendingKeys)).toBeUndefined();
      expect((await dumpDocuments(orgStatus)).map((d) => d.id)).toEqual(['b1']);

      // Fed again without the refused change, it is applied; what was applied already changes nothing.
      const again = await store.applyBatches([
        { model: 'org-status', generation: orgStatus, changes: [{ change: browser('b1', 'x', 'DAILY'), version: v(3) }], checkpoint: 3n, checkpointEventId: 'e3' },
        { model: 'pending-keys', generation: pendingKeys, changes: [{ change: { kind: 'upsert', collection: 'pending_keys', id: 'r1', document: pending }, version: v(3) }], checkpoint: 3n },
      ]);
      expect(again.size).toBe(0);
      expect(await store.checkpoint('pending-keys', pendingKeys)).toBe(3n);
      expect((await store.dump('pending_keys', pendingKeys)).map(({ document }) => document)).toEqual([pending]);
      await store.dropGeneration('pending-keys', pendingKeys);
    });

    it('shares documents and generations with another connection to the same data', async () => {
      const other = await opened.reopen();
      try {
        await other.init();
        const active = await store.activeGeneration('audit-log');
        await store.apply('audit-log', active, [
          { change: { kind: 'upsert', collection: 'audit_log', id: 'e1', document: { orgId: 'o9', position: 1 } }, version: v(1) },
        ], 1n);
        expect(await other.checkpoint('audit-log', active)).toBe(1n);
        expect(await other.find({ collection: 'audit_log', generation: active, conditions: [{ field: 'orgId', op: 'eq', value: 'o9' }], orderBy: 'position' })).toEqual([
          { orgId: 'o9', position: 1 },
        ]);
      } finally {
        await other.close();
      }
    });

    it("records the projection version each generation is built with: this release's on a new store and a rebuilt generation, 1 on a store from before versions", async () => {
      const fresh = await open();
      let old: ReadModelStore | undefined;
      try {
        await fresh.store.init();
        for (const projection of Object.values(PROJECTIONS)) expect(await fresh.store.projectionVersion(projection.name)).toBe(projection.version);
        await fresh.forgetProjectionVersions();
        old = await fresh.reopen();
        await old.init();
        expect(await old.projectionVersion('org-status')).toBe(1);
        expect(PROJECTIONS['org-status'].version).toBeGreaterThan(1);

        const rebuilt = await old.createGeneration('org-status');
        expect(await old.projectionVersion('org-status', rebuilt)).toBe(PROJECTIONS['org-status'].version);
        expect(await old.projectionVersion('org-status')).toBe(1);
        await old.activate('org-status', rebuilt);
        expect(await old.projectionVersion('org-status')).toBe(PROJECTIONS['org-status'].version);
        await old.init();
        expect(await old.projectionVersion('org-status')).toBe(PROJECTIONS['org-status'].version);
      } finally {
        await old?.close();
        await fresh.cleanup();
      }
    });

    it('starts on fresh data in several processes at once (WORKERS, or the roles of one deployment started together): each init succeeds', async () => {
      const fresh = await open();
      const others = await Promise.all([fresh.reopen(), fresh.reopen(), fresh.reopen()]);
      try {
        const inits = await Promise.allSettled([fresh.store, ...others].map((each) => each.init()));
        expect(inits.flatMap((init) => (init.status === 'rejected' ? [String(init.reason)] : []))).toEqual([]);
        for (const each of others) expect(await each.activeGeneration('org-status')).toBe(1);
        expect(await others[0].counts({ collection: 'agent_status', group: 'o1' })).toEqual(new Map());
      } finally {
        for (const other of others) await other.close();
        await fresh.cleanup();
      }
    });

    it('serves every pending-keys page by an index, first and on from a position, with the documents whole', async () => {
      const issued: DocumentQuery[] = [];
      const recording: ReadModelStore = Object.assign(Object.create(store) as ReadModelStore, {
        find: (query: DocumentQuery) => (issued.push(query), store.find(query)),
      });
      const active = await store.activeGeneration('pending-keys');
      const document = (requestedPosition: number) => ({
        orgId: 'queue',
        requestId: `q${requestedPosition}`,
        requestedPosition,
        challengeExpiresAt: new Date(requestedPosition * 1000).toISOString(),
        approvals: [],
      });
      await store.apply(
        'pending-keys',
        active,
        [1, 2, 3, 4].map((position) => ({ change: { kind: 'upsert', collection: 'pending_keys', id: `queue~${position}`, document: document(position) } as DocumentChange, version: v(position) })),
        (await store.checkpoint('pending-keys')) ?? 4n,
      );
      const queries = new ReadQueries(recording);
      expect(await queries.pendingKeys('queue', undefined, 3)).toEqual([1, 2, 3].map((position) => (({ orgId: _orgId, ...rest }) => rest)(document(position))));
      expect((await queries.pendingKeys('queue', 2, 3)).map((item) => item.requestId)).toEqual(['q3', 'q4']);
      // A page's approvals and its approvers' statuses, one query each (R20 M-of-N).
      const approval = { orgId: 'queue', requestId: 'q2', approverId: 'ann', fingerprint: 'f-ann' };
      await store.apply('pending-keys', active, [{ change: { kind: 'upsert', collection: 'key_approvals', id: 'queue~q2~ann', document: approval }, version: v(5) }], 5n);
      expect(await queries.keyApprovals('queue', ['q1', 'q2'])).toEqual([approval]);
      const ann = { orgId: 'queue', agentId: 'ann', role: 'ADMIN', keyStatus: 'ACTIVE', activeKey: null };
      await store.apply('org-status', await store.activeGeneration('org-status'), [{ change: { kind: 'upsert', collection: 'agent_status', id: 'queue~ann', document: ann }, version: v(5) }], 5n);
      expect(await queries.agentStatuses('queue', ['ann', 'bob'])).toEqual([ann]);
      await expectServedByIndexes(issued);
    });

    it('reduces the documents of several queries to JSON with a function named by its module, as find gives them; the embedded store past a few thousand on a worker thread', async () => {
      const g = await freshGeneration();
      const agents = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => browser(`${prefix}${String(i).padStart(5, '0')}`, `${prefix}${String(i).padStart(5, '0')}`, 'DAILY'));
      await apply(g, [...agents(3, 'few'), ...agents(REDUCED_HERE_UP_TO, 'many')].map((change, i) => ({ change, version: v(i + 1) })));
      const reducer = { module: require.resolve('./fixtures/documents-reducer'), name: 'agentIdsAndThread', argument: 'asked' };
      const query = (from: string, to: string): DocumentQuery => ({
        collection: 'agent_browsers',
        generation: g,
        conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }, { field: 'agentId', op: 'gte', value: from }, { field: 'agentId', op: 'lt', value: to }],
        orderBy: 'agentId',
      });
      const reduced = async (...queries: DocumentQuery[]) => JSON.parse((await store.reduceJson(queries, reducer)).toString('utf8'));
      const ids = async (q: DocumentQuery) => (await store.find(q)).map((document) => document.agentId);

      const few = await reduced(query('few', 'fex'), { ...query('few', 'fex'), limit: 2 }, query('none', 'nonf'));
      expect(few).toEqual({ tag: 'asked', agentIds: [await ids(query('few', 'fex')), ['few00000', 'few00001'], []], threadId: threadId });
      const many = await reduced(query('few', 'fex'), query('many', 'manz'));
      expect(many.agentIds).toEqual([await ids(query('few', 'fex')), await ids(query('many', 'manz'))]);
      expect(many.agentIds[1]).toHaveLength(REDUCED_HERE_UP_TO);
      // In process for MongoDB (its reads are network I/O), on a thread of its own for the embedded store.
      if (opened.reducesOnAWorkerThread) expect(many.threadId).not.toBe(threadId);
      else expect(many.threadId).toBe(threadId);
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
