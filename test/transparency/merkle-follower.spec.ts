import Database from 'better-sqlite3';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { MerkleFollower } from '../../src/transparency/merkle-follower';
import type { MerkleNodeStore } from '../../src/transparency/node-store/merkle-node-store.port';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { newEvent } from '../event-store/event-factory';
import { tempDir } from '../read-models/support/stores';
import { counted, expectSameProofs as expectStoredProofs } from './support/memory-trees';

const orgEvent = (orgId: string, i: number) => {
  const event = newEvent('AgentAdded', { agentId: `a-${i}`, role: 'MEMBER' });
  return { ...event, metadata: { ...event.metadata, orgId } };
};

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

describe('Merkle follower', () => {
  let dir: string;
  let events: SqliteEventStore;
  let nodes: MerkleNodeStore;
  const errors: unknown[] = [];
  const nodesPath = () => join(dir, 'merkle-nodes.sqlite');

  const follow = async (log: EventStore = events) => {
    const follower = new MerkleFollower(log, nodes, { batchSize: 7, retryMs: 20, onError: (error) => errors.push(error) });
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
