import Database from 'better-sqlite3';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore, SubscriptionOptions } from '../../src/event-store/event-store.port';
import type { StalledAtEvent } from '../../src/event-store/stalled-at-event';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { checkpointStream } from '../../src/domain/streams';
import { MerkleFollower, type FollowedOrg } from '../../src/transparency/merkle-follower';
import { treeRoot, type NodeId } from '../../src/transparency/merkle-tree';
import type { MerkleNodeStore } from '../../src/transparency/node-store/merkle-node-store.port';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { newEvent } from '../event-store/event-factory';
import { tempDir } from '../read-models/support/stores';
import { counted, expectSameProofs as expectStoredProofs, memoryTrees } from './support/memory-trees';

const signer = signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 9));

const orgEvent = (orgId: string, i: number) => {
  const event = newEvent('AgentAdded', { agentId: `a-${i}`, role: 'MEMBER' });
  return { ...event, metadata: { ...event.metadata, orgId } };
};

/** An org's first event, as the domain writes it: its creation, opening its stream. */
const creation = (orgId: string) => {
  const event = newEvent('OrganizationCreated', { orgId, name: orgId, policy: {}, superAdminId: 'a-0' });
  return { ...event, metadata: { ...event.metadata, orgId } };
};

/** The node store, counting the orgs read back from it, and those whose nodes are read. */
function countingReads(store: MerkleNodeStore): { store: MerkleNodeStore; read: string[]; nodesRead: string[] } {
  const read: string[] = [];
  const nodesRead: string[] = [];
  const counting: MerkleNodeStore = Object.create(store, {
    org: { value: (orgId: string) => (read.push(orgId), store.org(orgId)) },
    nodes: { value: (orgId: string, ids: readonly NodeId[]) => (nodesRead.push(orgId), store.nodes(orgId, ids)) },
  });
  return { store: counting, read, nodesRead };
}

/** A checkpoint of the org's stored tree, appended to the log as the checkpointer appends it. */
async function checkpointOf(events: EventStore, { orgId, stored: { size, root } }: FollowedOrg): Promise<void> {
  await events.append([{ stream: checkpointStream(orgId), expected: 'no_stream', events: [checkpointEvent(signer, orgId, { size, root: () => root }, new Date())] }]);
}

/** Appends `count` events to each org's stream, the orgs interleaved in the log. */
async function grow(events: EventStore, sizes: Record<string, number>, from: Record<string, number> = {}): Promise<void> {
  const longest = Math.max(...Object.values(sizes));
  for (let i = 0; i < longest; i++) {
    for (const [orgId, size] of Object.entries(sizes)) {
      if (i >= size) continue;
      const revision = (from[orgId] ?? 0) + i;
      await events.append([{ stream: `org-${orgId}`, expected: revision === 0 ? 'no_stream' : BigInt(revision - 1), events: [orgEvent(orgId, revision)] }]);
    }
  }
}

/** Waits until the follower stored the log's head. */
async function followed(follower: MerkleFollower, log: EventStore): Promise<void> {
  const head = await log.headPosition();
  for (const deadline = Date.now() + 10_000; follower.position !== head; await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() > deadline) throw new Error(`followed to ${follower.position}, not to the head ${head}`);
  }
}

describe('Merkle follower', () => {
  let dir: string;
  let events: SqliteEventStore;
  let nodes: MerkleNodeStore;
  const errors: unknown[] = [];
  const nodesPath = () => join(dir, 'merkle-nodes.sqlite');

  const follow = async (log: EventStore = events, maxOrgs?: number, store = nodes) => {
    const follower = new MerkleFollower(log, store, { batchSize: 7, retryMs: 20, maxOrgs, onError: (error) => errors.push(error) });
    await follower.start();
    await follower.whenCaughtUp();
    return follower;
  };

  const expectSameProofs = (checks: (size: number) => Array<[number, number]>) => expectStoredProofs(events, nodes, checks);

  beforeEach(() => {
    dir = tempDir('merkle-follower');
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    nodes = new SqliteMerkleNodeStore({ path: nodesPath() });
  });
  afterEach(async () => {
    await nodes.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
    expect(errors.splice(0)).toEqual([]);
  });

  it('stores trees whose roots and proofs equal the in-memory tree for random sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }), async (a, b, pairs) => {
        await nodes.clear();
        const fresh = join(dir, `events-${a}-${b}-${Math.random()}.sqlite`);
        const log = new SqliteEventStore({ path: fresh });
        try {
          await grow(log, { acme: a, other: b });
          const saved = events;
          events = log;
          const follower = await follow(log);
          await follower.stop();
          // Pairs index < size <= the org's size, and first <= second.
          await expectSameProofs((size) => pairs.map(([x, y]) => [x % size, (x % size) + 1 + (y % (size - (x % size)))]));
          events = saved;
        } finally {
          await log.close();
        }
      }),
      { numRuns: 12 },
    );
  });

  it('stops at an event a newer release wrote: says so once (onStalled), not at each retry (onError), and stores nothing past it', async () => {
    await grow(events, { acme: 5 });
    const before = await events.headPosition();
    const newer = { ...orgEvent('acme', 5), schemaVersion: 2 };
    await events.append([{ stream: 'org-acme', expected: 4n, events: [newer] }]);
    await grow(events, { acme: 2 }, { acme: 6 });
    // Each retry subscribes again.
    let subscriptions = 0;
    const log: EventStore = Object.assign(Object.create(events) as EventStore, {
      subscribeToAll: (options: SubscriptionOptions) => {
        subscriptions += 1;
        return events.subscribeToAll(options);
      },
    });
    const stalls: StalledAtEvent[] = [];
    const follower = new MerkleFollower(log, nodes, { retryMs: 20, onError: (error) => errors.push(error), onStalled: (stall) => stalls.push(stall) });
    await follower.start();
    try {
      for (const deadline = Date.now() + 10_000; subscriptions < 6; await new Promise((resolve) => setTimeout(resolve, 10))) {
        if (Date.now() > deadline) throw new Error(`${subscriptions} subscriptions`);
      }
      expect(stalls).toEqual([{ position: before! + 1n, eventId: newer.id, type: 'AgentAdded', schemaVersion: 2, reason: expect.stringMatching(/^cannot decode event AgentAdded v2: written by a newer ztkeys/) }]);
      expect((follower.position ?? 0n) < before! + 1n).toBe(true);
    } finally {
      await follower.stop();
    }
  });

  it('resumes after a restart from its checkpoint: only the events after it are delivered, and the trees go on', async () => {
    await grow(events, { acme: 9, other: 4 });
    const first = await follow();
    await first.stop();
    await grow(events, { acme: 6, other: 1 }, { acme: 9, other: 4 });
    const { log, delivered } = counted(events);
    const second = await follow(log);
    await second.stop();
    expect(delivered).toHaveLength(7);
    await expectSameProofs((size) => [[0, size], [size - 1, size], [Math.floor(size / 2), size]]);
  });

  it('applies nothing twice when a batch is delivered again (a crash after the orgs were stored, before the checkpoint)', async () => {
    await grow(events, { acme: 5, other: 3 });
    const first = await follow();
    await first.stop();
    // What a crash between the store's writes leaves (MongoDB writes nodes, orgs, then the checkpoint): an older checkpoint.
    const [, , third] = await events.readAll(undefined, 3);
    const db = new Database(nodesPath());
    db.prepare('UPDATE merkle_progress SET position = ?, event_id = ?').run(third.position.toString().padStart(20, '0'), third.id);
    db.close();
    await grow(events, { acme: 2 }, { acme: 5 });
    const { log, delivered } = counted(events);
    const second = await follow(log);
    await second.stop();
    expect(delivered).toHaveLength(5 + 3 + 2 - 3);
    await expectSameProofs((size) => [[0, size], [size - 1, size]]);
  });

  it('rebuilds from the log when the log no longer holds its checkpoint (a log restored from an older copy)', async () => {
    await grow(events, { acme: 6 });
    const first = await follow();
    await first.stop();
    // Another log of fewer, different events in the same place.
    await events.close();
    rmSync(join(dir, 'events.sqlite'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    await grow(events, { acme: 3 });
    const second = await follow();
    await second.stop();
    expect(errors.splice(0).map(String)).toEqual([expect.stringMatching(/Merkle node store: the event log's head .* is behind the checkpoint .*; rebuilding it from the log/)]);
    await expectSameProofs((size) => [[0, size], [1, 2]]);
  });

  it('keeps at most maxOrgs orgs in memory once stored; one that left is read back at its next event, and the trees are the same', async () => {
    const sizes = (n: number, from: number) => Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`org${i}`, 1 + ((i * 7 + from) % n)]));
    const first = sizes(6, 0);
    await grow(events, first);
    const follower = await follow(events, 5);
    await follower.stop();
    expect(follower.orgs.size).toBe(5);
    await expectSameProofs((size) => [[0, size], [size - 1, size]]);

    // A restart reads no org; the orgs that grow are read back, each once.
    const counting = countingReads(nodes);
    const second = new MerkleFollower(events, counting.store, { batchSize: 7, maxOrgs: 5, onError: (error) => errors.push(error) });
    await second.start();
    await second.whenCaughtUp();
    expect(second.orgs.size).toBe(0);
    await grow(events, sizes(4, 3), first);
    await followed(second, events);
    await second.stop();
    expect(second.orgs.size).toBe(5);
    await expectSameProofs((size) => [[0, size], [size - 1, size], [Math.floor(size / 2), size]]);
    expect(counting.read.length).toBeGreaterThanOrEqual(60);
  });

  it("reads no org from the store at its creation (revision 0 of its org's stream), and every other org it does not hold", async () => {
    for (let i = 0; i < 10; i++) {
      await events.append([{ stream: `org-new${i}`, expected: 'no_stream', events: [creation(`new${i}`), orgEvent(`new${i}`, 1)] }]);
      await events.append([{ stream: `org-old${i}`, expected: 'no_stream', events: [orgEvent(`old${i}`, 0)] }]);
    }
    const counting = countingReads(nodes);
    const follower = await follow(events, 3, counting.store);
    await follower.stop();
    expect(counting.read.filter((orgId) => orgId.startsWith('new'))).toEqual([]);
    expect(counting.read.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `old${i}`).sort());
    await expectSameProofs((size) => [[0, size]]);
  });

  it("reads an org a checkpoint is due for by its row alone; its right edge at its next leaf, not at its checkpoint", async () => {
    // Given three orgs stored, none signed, and a restart (none in memory)
    await grow(events, { acme: 5, other: 3, third: 1 });
    const first = await follow();
    const roots = new Map([...first.orgs.values()].map((org) => [org.orgId, org.stored]));
    await first.stop();
    const counting = countingReads(nodes);
    const second = await follow(events, undefined, counting.store);

    // When the checkpointer asks for the orgs due
    const due = await second.due(Date.now(), 0, 10);

    // Then each is in memory with its size and root, and no node was read
    expect(new Map(due.map((org) => [org.orgId, org.stored]))).toEqual(roots);
    expect(counting.nodesRead).toEqual([]);
    // When a checkpoint of acme comes back through the log: still none
    await checkpointOf(events, second.orgs.get('acme')!);
    await followed(second, events);
    expect(second.orgs.get('acme')?.signed?.size).toBe(5);
    expect(counting.nodesRead).toEqual([]);
    // When acme and other grow: their right edges are read, once each
    await grow(events, { acme: 2, other: 1 }, { acme: 5, other: 3 });
    await followed(second, events);
    await second.stop();
    expect(counting.nodesRead.sort()).toEqual(['acme', 'other']);
    await expectSameProofs((size) => [[0, size], [size - 1, size]]);
  });

  it('reads the root from the nodes for an org whose row is from before the root was kept', async () => {
    // Given a store file whose org rows have no root (the column dropped, as in a file from before)
    await grow(events, { acme: 5, other: 2 });
    const first = await follow();
    const roots = new Map([...first.orgs.values()].map((org) => [org.orgId, org.stored]));
    await first.stop();
    await nodes.close();
    const db = new Database(nodesPath());
    db.exec('ALTER TABLE merkle_orgs DROP COLUMN root');
    db.close();
    nodes = new SqliteMerkleNodeStore({ path: nodesPath() });
    expect((await nodes.org('acme'))?.root).toBeUndefined();

    // When it restarts: none is in memory (their rows lack the root, which their nodes would give), and the orgs due are read back
    const counting = countingReads(nodes);
    const second = await follow(events, undefined, counting.store);
    expect(second.holdsEveryOrg).toBe(false);
    const due = await second.due(Date.now(), 0, 10);

    // Then their roots are the ones their nodes give, read for it; the rows get them at their next write
    expect(new Map(due.map((org) => [org.orgId, org.stored]))).toEqual(roots);
    expect(counting.nodesRead.sort()).toEqual(['acme', 'other']);
    await checkpointOf(events, second.orgs.get('acme')!);
    await followed(second, events);
    await second.stop();
    expect((await nodes.org('acme'))?.root).toEqual(roots.get('acme')?.root);
  });

  it('holds every org while it replayed the log from its start and none left memory', async () => {
    // Given an empty store: followed from the log's start, every org fits
    await grow(events, { a: 2, b: 2, c: 2 });
    const first = await follow(events, 3);
    expect(first.holdsEveryOrg).toBe(true);
    // When a fourth org comes beyond the bound: one leaves memory
    await grow(events, { d: 1 });
    await followed(first, events);
    expect(first.orgs.size).toBe(3);
    expect(first.holdsEveryOrg).toBe(false);
    // When it rebuilds from the log (the store cleared): every org in memory again, under a bound that holds them
    await first.stop();
    const roomy = await follow(events, 10);
    await roomy.rebuild();
    expect(roomy.holdsEveryOrg).toBe(true);
    expect(roomy.orgs.size).toBe(4);
    await roomy.stop();
  });

  it("holds every org after a restart from its checkpoint when the store holds no more than maxOrgs: their rows read at start, no node; not when it holds more", async () => {
    // Given four orgs stored, one signed, and a restart under a bound that holds them
    await grow(events, { a: 3, b: 2, c: 1, d: 1 });
    const first = await follow(events, 10);
    await checkpointOf(events, first.orgs.get('a')!);
    await followed(first, events);
    const stored = new Map([...first.orgs.values()].map((org) => [org.orgId, { stored: org.stored, signed: org.signed?.size }]));
    await first.stop();
    const counting = countingReads(nodes);
    const second = await follow(events, 4, counting.store);

    // Then it holds every org, each with its size, root and last checkpoint, and read no node
    expect(second.holdsEveryOrg).toBe(true);
    expect(new Map([...second.orgs.values()].map((org) => [org.orgId, { stored: org.stored, signed: org.signed?.size }]))).toEqual(stored);
    expect(counting.nodesRead).toEqual([]);
    // When an org grows: its right edge is read then, once, and the trees go on
    await grow(events, { b: 2 }, { b: 2 });
    await followed(second, events);
    expect(counting.nodesRead).toEqual(['b']);
    expect(counting.read).toEqual([]);
    await second.stop();
    await expectSameProofs((size) => [[0, size], [size - 1, size]]);

    // When it restarts under a bound of three, below the four orgs stored: none in memory, the store is to be looked at
    const tight = await follow(events, 3);
    expect(tight.holdsEveryOrg).toBe(false);
    expect(tight.orgs.size).toBe(0);
    await tight.stop();
  });

  it("drops the rows read at start when it rebuilds from the log (the server's check found a row's root that the log does not give), a scan under way too", async () => {
    // Given acme's row keeping a root that is not its tree's (what the check at start compares with the log's)
    await grow(events, { acme: 3, other: 2 });
    await (await follow()).stop();
    const db = new Database(nodesPath());
    db.prepare("UPDATE merkle_orgs SET root = zeroblob(32) WHERE org = 'acme'").run();
    db.close();
    const logRoot = async () => {
      const acme = (await memoryTrees(events)).get('acme')!;
      return treeRoot(acme.size, acme.read);
    };
    // When it restarts: the row is read as stored (the follower trusts its store; the server's check does not)
    const second = await follow(events, 10);
    expect(second.orgs.get('acme')?.stored.root).toEqual(Buffer.alloc(32));
    // When it rebuilds, as the check's disagreement makes it: every org from the log, none from a row
    await second.rebuild();
    await second.stop();
    expect(second.holdsEveryOrg).toBe(true);
    expect(second.orgs.get('acme')?.stored.root).toEqual(await logRoot());

    // When the rebuild comes while the scan of the rows at start is under way: the rows it read never come into memory
    const tampered = new Database(nodesPath());
    tampered.prepare("UPDATE merkle_orgs SET root = zeroblob(32) WHERE org = 'acme'").run();
    tampered.close();
    let [scanned, release] = [() => {}, () => {}];
    const [read, held] = [new Promise<void>((resolve) => (scanned = resolve)), new Promise<void>((resolve) => (release = resolve))];
    const scan = async (limit: number) => {
      const rows = await nodes.orgs(limit);
      scanned();
      await held;
      return rows;
    };
    const third = new MerkleFollower(events, Object.create(nodes, { orgs: { value: scan } }), { batchSize: 7, maxOrgs: 10, onError: (error) => errors.push(error) });
    const started = third.start();
    await read;
    await third.rebuild();
    release();
    await started;
    await third.stop();
    expect(third.holdsEveryOrg).toBe(true);
    expect(third.orgs.get('acme')?.stored.root).toEqual(await logRoot());
    await expectSameProofs((size) => [[0, size]]);
  });

  it('rebuilds from the log when an org read back lacks nodes of its tree', async () => {
    await grow(events, { acme: 5, other: 3 });
    const first = await follow();
    await first.stop();
    const db = new Database(nodesPath());
    db.prepare("DELETE FROM merkle_nodes WHERE org = 'acme'").run();
    db.close();
    await grow(events, { acme: 1 }, { acme: 5 });
    const second = await follow();
    await followed(second, events);
    await second.stop();
    expect(errors.splice(0).map(String)).toEqual(['Error: Merkle node store: org acme lacks nodes of its tree of 5; rebuilding it from the log']);
    await expectSameProofs((size) => [[0, size], [size - 1, size]]);
  });

  it('rebuilds on demand: a node altered in the store is written again from the log', async () => {
    await grow(events, { acme: 4 });
    const follower = await follow();
    const db = new Database(nodesPath());
    db.prepare('UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 1').run();
    db.close();
    await follower.rebuild();
    await follower.stop();
    await expectSameProofs(() => [[1, 4]]);
  });
});
