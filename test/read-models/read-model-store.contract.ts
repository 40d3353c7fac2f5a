/**
 * One contract for every read-model store adapter: each spec file calls it with a way to open a
 * fresh store. The change vocabulary is checked against the in-memory reference semantics.
 */
import fc from 'fast-check';
import { changeVersion, type DocumentChange, type ReadModelDocument, type VersionedChange } from '../../projections/document-change';
import type { DocumentQuery, ReadModelStore } from '../../src/read-models/read-model-store.port';
import { InMemoryDocuments } from '../projections/support/in-memory-documents';

export interface OpenedStore {
  store: ReadModelStore;
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
    const apply = (generation: number, changes: VersionedChange[], checkpoint = 1n) =>
      store.apply('org-status', generation, changes, checkpoint);
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
      const frequency = fc.constantFrom('EVERY_TASK', 'DAILY', 'WEEKLY');
      const change: fc.Arbitrary<DocumentChange> = fc.oneof(
        fc.tuple(ids, agent, frequency).map(([id, agentId, f]) => browser(id, agentId, f)),
        fc.tuple(ids, agent).map(([id, agentId]): DocumentChange => ({ ...(browser(id, agentId, 'DAILY') as { document: ReadModelDocument }), kind: 'insert', collection: 'agent_browsers', id })),
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

      it('counts by a field', async () => {
        const counts = await store.countBy({ collection: 'agent_browsers', generation: g, conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }] }, 'agentId');
        expect(Object.fromEntries(counts)).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 1 });
      });

      it('never lets a filter value act as an operator', async () => {
        const operator = { $ne: null } as unknown as string;
        await expect(query({ conditions: [{ field: 'orgId', op: 'eq', value: operator }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(query({ conditions: [{ field: 'orgId', op: 'in', value: [operator] }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(query({ conditions: [{ field: 'orgId', op: 'in', value: operator as unknown as string[] }], orderBy: 'agentId' })).rejects.toThrow(TypeError);
        await expect(store.countBy({ collection: 'agent_browsers', generation: g, conditions: [{ field: 'orgId', op: 'eq', value: operator }] }, 'agentId')).rejects.toThrow(TypeError);
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

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
