import { MongoClient } from 'mongodb';
import { MongoMerkleNodeStore } from '../../src/transparency/node-store/mongo-merkle-node-store';
import { describeWithMongo, MONGODB_URL } from '../read-models/support/stores';
import { dropMongoDatabase, throwawayDatabaseName } from '../support/mongo-database';
import { describeMerkleNodeStore } from './merkle-node-store.contract';
import { openMongoNodes } from './support/node-stores';

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
});
