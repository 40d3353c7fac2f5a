/**
 * One contract for every Merkle node store adapter: each spec file calls it with a way to open a
 * fresh store and a second connection to the same data (as another process would have).
 */
import { createHash } from 'node:crypto';
import type { MerkleNodeStore, NodeBatch } from '../../src/transparency/node-store/merkle-node-store.port';

export interface OpenedNodeStore {
  store: MerkleNodeStore;
  reopen(): Promise<MerkleNodeStore>;
  cleanup(): Promise<void>;
}

const hash = (text: string): Buffer => createHash('sha256').update(text).digest();
const node = (orgId: string, level: number, index: number, text = `${orgId}/${level}/${index}`) => ({ orgId, level, index, hash: hash(text) });

export function describeMerkleNodeStore(name: string, open: () => Promise<OpenedNodeStore>): void {
  describe(`${name} Merkle node store (contract)`, () => {
    let opened: OpenedNodeStore;
    let store: MerkleNodeStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await store.init();
      await store.init();
    });
    afterEach(async () => {
      await store.close();
      await opened.cleanup();
    });

    it('starts empty', async () => {
      expect(await store.checkpoint()).toBeUndefined();
      expect(await store.org('acme')).toBeUndefined();
      expect(await store.orgs(10)).toEqual([]);
      expect(await store.due(Date.now(), Date.now(), 10)).toEqual([]);
      expect(await store.nodes('acme', [{ level: 0, index: 0 }])).toEqual([undefined]);
      expect(await store.ping()).toBe(true);
    });

    it('stores nodes by org, level and index, each org its state (its root when given), and the checkpoint; another connection reads them', async () => {
      const batch: NodeBatch = {
        nodes: [node('acme', 0, 0), node('acme', 0, 1), node('acme', 1, 0), node('other', 0, 0)],
        orgs: [
          { orgId: 'acme', size: 2, root: node('acme', 1, 0).hash, position: 3n, signed: { size: 1, at: '2026-11-30T12:00:00.000Z', revision: 0n } },
          { orgId: 'other', size: 1, position: 2n },
        ],
        checkpoint: { position: 3n, eventId: 'e-3' },
      };
      await store.apply(batch);
      const other = await opened.reopen();
      try {
        for (const reader of [store, other]) {
          expect(await reader.checkpoint()).toEqual({ position: 3n, eventId: 'e-3' });
          expect(await reader.org('acme')).toEqual(batch.orgs[0]);
          expect(await reader.org('other')).toEqual(batch.orgs[1]);
          // In the order asked, a node of another org or not stored undefined.
          const hashes = await reader.nodes('acme', [{ level: 1, index: 0 }, { level: 0, index: 2 }, { level: 0, index: 0 }]);
          expect(hashes).toEqual([node('acme', 1, 0).hash, undefined, node('acme', 0, 0).hash]);
          expect(await reader.nodes('other', [{ level: 1, index: 0 }, { level: 0, index: 0 }])).toEqual([undefined, node('other', 0, 0).hash]);
        }
      } finally {
        await other.close();
      }
    });

    it("reads many nodes asked at once, as a check of the whole log asks a page's: runs of a level with one missing, scattered ones, another org's, repeated ones, in the order asked", async () => {
      const stored = [...Array.from({ length: 40 }, (_, i) => node('acme', 0, i)).filter(({ index }) => index !== 17), ...Array.from({ length: 20 }, (_, i) => node('acme', 1, i)), node('acme', 2, 900), node('other', 0, 5)];
      await store.apply({ nodes: stored, orgs: [{ orgId: 'acme', size: 40, position: 1n }], checkpoint: { position: 1n } });
      const asked = [
        ...Array.from({ length: 40 }, (_, index) => ({ level: 0, index })).reverse(),
        ...Array.from({ length: 20 }, (_, index) => ({ level: 1, index })),
        ...Array.from({ length: 20 }, (_, i) => ({ level: 2, index: i * 100 })),
        { level: 0, index: 5 },
      ];
      const expected = asked.map(({ level, index }) => stored.find((one) => one.orgId === 'acme' && one.level === level && one.index === index)?.hash);
      expect(expected.filter((hash) => hash === undefined)).toHaveLength(20);
      expect(await store.nodes('acme', asked)).toEqual(expected);
    });

    it('is idempotent: a node keeps its first hash, an org and the checkpoint never move back', async () => {
      await store.apply({ nodes: [node('acme', 0, 0), node('acme', 0, 1)], orgs: [{ orgId: 'acme', size: 2, position: 10n }], checkpoint: { position: 10n, eventId: 'e-10' } });
      // A late copy's (or a redelivered) batch: older positions, a node written again.
      await store.apply({ nodes: [node('acme', 0, 1, 'something else'), node('acme', 0, 2)], orgs: [{ orgId: 'acme', size: 1, position: 5n }], checkpoint: { position: 5n, eventId: 'e-5' } });
      expect(await store.nodes('acme', [{ level: 0, index: 1 }, { level: 0, index: 2 }])).toEqual([node('acme', 0, 1).hash, node('acme', 0, 2).hash]);
      expect(await store.org('acme')).toEqual({ orgId: 'acme', size: 2, position: 10n });
      expect(await store.checkpoint()).toEqual({ position: 10n, eventId: 'e-10' });
      // Forward: replaced whole (the checkpoint seen since included).
      const signed = { size: 3, at: '2026-11-30T12:00:00.000Z', revision: 4n };
      const root = hash('root of 3');
      await store.apply({ nodes: [], orgs: [{ orgId: 'acme', size: 3, root, position: 12n, signed }], checkpoint: { position: 12n } });
      expect(await store.org('acme')).toEqual({ orgId: 'acme', size: 3, root, position: 12n, signed });
      // An older state never takes the root back either.
      await store.apply({ nodes: [], orgs: [{ orgId: 'acme', size: 2, root: hash('root of 2'), position: 11n }], checkpoint: { position: 11n } });
      expect((await store.org('acme'))?.root).toEqual(root);
      expect(await store.checkpoint()).toEqual({ position: 12n });
    });

    it('finds the orgs a checkpoint is due for through their oldest unsigned leaf or their last checkpoint, at most as many as asked', async () => {
      const at = (ms: number) => new Date(ms).toISOString();
      const T = Date.parse('2026-11-30T12:00:00.000Z');
      await store.apply({
        nodes: [],
        orgs: [
          { orgId: 'grown-early', size: 2, position: 1n, grewAt: T - 5000 },
          { orgId: 'grown-late', size: 2, position: 2n, grewAt: T + 5000 },
          { orgId: 'signed-early', size: 2, position: 3n, signed: { size: 2, at: at(T - 9000), revision: 0n } },
          { orgId: 'signed-late', size: 2, position: 4n, signed: { size: 2, at: at(T + 1000), revision: 0n } },
          { orgId: 'both', size: 3, root: hash('both'), position: 5n, signed: { size: 2, at: at(T - 9000), revision: 1n }, grewAt: T - 5000 },
        ],
        checkpoint: { position: 5n },
      });
      const ids = async (grownBy: number, signedBy: number, limit = 10) => (await store.due(grownBy, signedBy, limit)).map((org) => org.orgId).sort();
      expect(await ids(T, T - 3_600_000)).toEqual(['both', 'grown-early']);
      expect(await ids(T - 3_600_000, T)).toEqual(['both', 'signed-early']);
      expect(await ids(T, T)).toEqual(['both', 'grown-early', 'signed-early']);
      expect(await ids(T + 5000, T + 1000)).toEqual(['both', 'grown-early', 'grown-late', 'signed-early', 'signed-late']);
      expect(await store.due(T + 5000, T + 1000, 2)).toHaveLength(2);
      // As stored (its root too, what signing it needs): the state of each, and an org signed since is due no more for its growth.
      expect((await store.due(T, T - 3_600_000, 10)).find((org) => org.orgId === 'both')).toEqual({ orgId: 'both', size: 3, root: hash('both'), position: 5n, signed: { size: 2, at: at(T - 9000), revision: 1n }, grewAt: T - 5000 });
      await store.apply({ nodes: [], orgs: [{ orgId: 'grown-early', size: 2, position: 6n, signed: { size: 2, at: at(T), revision: 0n } }], checkpoint: { position: 6n } });
      expect(await ids(T, T - 3_600_000)).toEqual(['both']);
    });

    it("reads every org's state by its row, at most as many as asked", async () => {
      const signed = { size: 1, at: '2026-11-30T12:00:00.000Z', revision: 0n };
      const orgs = [
        { orgId: 'acme', size: 2, root: hash('acme'), position: 3n, signed, grewAt: 1000 },
        { orgId: 'other', size: 1, root: hash('other'), position: 2n, signed },
        { orgId: 'third', size: 1, position: 1n, grewAt: 2000 },
      ];
      await store.apply({ nodes: [node('acme', 0, 0)], orgs, checkpoint: { position: 3n } });
      const byId = (states: Array<{ orgId: string }>) => [...states].sort((a, b) => a.orgId.localeCompare(b.orgId));
      expect(byId(await store.orgs(4))).toEqual(orgs);
      expect(byId(await store.orgs(3))).toEqual(orgs);
      const two = await store.orgs(2);
      expect(two).toHaveLength(2);
      for (const state of two) expect(state).toEqual(orgs.find((org) => org.orgId === state.orgId));
    });

    it('compares positions as numbers, beyond 2^53 too', async () => {
      const high = 2n ** 63n + 5n;
      await store.apply({ nodes: [], orgs: [{ orgId: 'acme', size: 1, position: 9n }], checkpoint: { position: 9n } });
      await store.apply({ nodes: [], orgs: [{ orgId: 'acme', size: 2, position: high }], checkpoint: { position: high } });
      await store.apply({ nodes: [], orgs: [{ orgId: 'acme', size: 1, position: 10n }], checkpoint: { position: 10n } });
      expect(await store.org('acme')).toEqual({ orgId: 'acme', size: 2, position: high });
      expect(await store.checkpoint()).toEqual({ position: high });
    });

    it('forgets everything on clear, for a rebuild, but the checkpoints seen', async () => {
      const seen = { orgId: 'acme', revision: 0n, position: 2n, noteHash: hash('note 0') };
      await store.apply({ nodes: [node('acme', 0, 0)], orgs: [{ orgId: 'acme', size: 1, position: 2n }], seen: [seen], checkpoint: { position: 2n } });
      await store.clear();
      expect(await store.checkpoint()).toBeUndefined();
      expect(await store.org('acme')).toBeUndefined();
      expect(await store.nodes('acme', [{ level: 0, index: 0 }])).toEqual([undefined]);
      expect(await store.seenCheckpoints()).toEqual([seen]);
      await store.apply({ nodes: [node('acme', 0, 0, 'again')], orgs: [{ orgId: 'acme', size: 1, position: 1n }], checkpoint: { position: 1n } });
      expect(await store.nodes('acme', [{ level: 0, index: 0 }])).toEqual([node('acme', 0, 0, 'again').hash]);
    });

    it("keeps each org's latest checkpoint seen, forward only (positions as numbers), through another connection; forgets those past a log's head", async () => {
      const high = 2n ** 63n + 5n;
      await store.apply({ nodes: [], orgs: [], seen: [{ orgId: 'acme', revision: 0n, position: 9n, noteHash: hash('a0') }, { orgId: 'globex', revision: 3n, position: 12n, noteHash: hash('g3') }], checkpoint: { position: 12n } });
      await store.apply({ nodes: [], orgs: [], seen: [{ orgId: 'acme', revision: 1n, position: high, noteHash: hash('a1') }], checkpoint: { position: high } });
      // A redelivered or late batch takes none back.
      await store.apply({ nodes: [], orgs: [], seen: [{ orgId: 'acme', revision: 0n, position: 10n, noteHash: hash('a0 late') }], checkpoint: { position: 10n } });
      const byOrg = (seen: Awaited<ReturnType<MerkleNodeStore['seenCheckpoints']>>) => [...seen].sort((a, b) => a.orgId.localeCompare(b.orgId));
      const both = [
        { orgId: 'acme', revision: 1n, position: high, noteHash: hash('a1') },
        { orgId: 'globex', revision: 3n, position: 12n, noteHash: hash('g3') },
      ];
      expect(byOrg(await store.seenCheckpoints())).toEqual(both);
      const other = await opened.reopen();
      try {
        expect(byOrg(await other.seenCheckpoints())).toEqual(both);
      } finally {
        await other.close();
      }
      await store.forgetCheckpointsAfter(12n);
      expect(await store.seenCheckpoints()).toEqual([both[1]]);
      await store.forgetCheckpointsAfter(undefined);
      expect(await store.seenCheckpoints()).toEqual([]);
    });
  });
}
