import { MongoClient } from 'mongodb';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { MerkleFollower } from '../../src/transparency/merkle-follower';
import { MongoMerkleNodeStore } from '../../src/transparency/node-store/mongo-merkle-node-store';
import { newEvent } from '../event-store/event-factory';
import { describeWithMongo, MONGODB_URL, tempDir } from '../read-models/support/stores';
import { dropMongoDatabase, throwawayDatabaseName } from '../support/mongo-database';
import { describeMerkleNodeStore } from './merkle-node-store.contract';
import { openMongoNodes } from './support/node-stores';
import { expectSameProofs } from './support/memory-trees';

/** An org created, then `count` more of its events, as the domain writes them. */
async function orgWith(events: EventStore, orgId: string, count: number, from = 0): Promise<void> {
  for (let revision = from; revision <= from + count; revision++) {
    const event =
      revision === 0
        ? newEvent('OrganizationCreated', { orgId, name: orgId, policy: {}, superAdminId: 'a-0' })
        : newEvent('AgentAdded', { agentId: `a-${revision}`, role: 'MEMBER' });
    await events.append([{ stream: `org-${orgId}`, expected: revision === 0 ? 'no_stream' : BigInt(revision - 1), events: [{ ...event, metadata: { ...event.metadata, orgId } }] }]);
  }
}

describeWithMongo('MongoDB Merkle nodes', () => {
  describeMerkleNodeStore('MongoDB', async () => openMongoNodes());

  it('a collection from before the due index and the root: its orgs with unsigned leaves are due at once, the others when their checkpoint is; no root', async () => {
    const url = MONGODB_URL as string;
    const database = throwawayDatabaseName('ztkeys_nodes');
    const client = await MongoClient.connect(url);
    const at = '2026-11-30T12:00:00.000Z';
    const signed = { size: 2, at, revision: '0' };
    await client
      .db(database)
      .collection<{ _id: string; size: number; position: string; signed: typeof signed }>('merkle_orgs')
      .insertMany([
        { _id: 'grown', size: 3, position: '1'.padStart(20, '0'), signed },
        { _id: 'signed', size: 2, position: '2'.padStart(20, '0'), signed },
      ]);
    await client.close();
    const store = new MongoMerkleNodeStore({ url, database });
    try {
      await store.init();
      expect((await store.due(0, 0, 10)).map((org) => org.orgId)).toEqual(['grown']);
      expect((await store.due(0, Date.parse(at), 10)).map((org) => org.orgId).sort()).toEqual(['grown', 'signed']);
      // Nor a root: none until the org's next write (the follower reads it from the nodes meanwhile).
      expect(await store.org('grown')).not.toHaveProperty('root');
    } finally {
      await store.close();
      await dropMongoDatabase(url, database);
    }
  });

  it("an operator drops merkle_orgs (the store is rebuildable) and restarts: the follower does not take an org with stored events for a new one (a tree of its next event alone, smaller than its last checkpoint: its events went unsigned), it rebuilds from the log", async () => {
    const dir = tempDir('merkle-orgs-dropped');
    const events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    const url = MONGODB_URL as string;
    const database = throwawayDatabaseName('ztkeys_nodes');
    const store = new MongoMerkleNodeStore({ url, database });
    const errors: unknown[] = [];
    const follow = async () => {
      const follower = new MerkleFollower(events, store, { batchSize: 4, retryMs: 20, onError: (error) => errors.push(error) });
      await follower.start();
      await follower.whenCaughtUp();
      return follower;
    };
    try {
      await store.init();
      await orgWith(events, 'acme', 5);
      await (await follow()).stop();
      const client = await MongoClient.connect(url);
      await client.db(database).collection('merkle_orgs').drop();
      await client.close();
      await orgWith(events, 'acme', 0, 6);
      const again = await follow();
      for (const head = await events.headPosition(); again.position !== head; ) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(again.orgs.get('acme')?.stored.size).toBe(7);
      await again.stop();
      expect(errors.map(String)).toEqual([expect.stringMatching(/org acme .*rebuilding it from the log/)]);
      await expectSameProofs(events, store, (size) => [[0, size], [size - 1, size]]);
    } finally {
      await store.close();
      await events.close();
      await dropMongoDatabase(url, database);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

