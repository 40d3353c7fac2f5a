import { describeReadModelStore } from './read-model-store.contract';
import { MongoClient } from 'mongodb';
import { changeVersion, type DocumentChange } from '../../projections/document-change';
import { describeWithMongo, MONGODB_URL, openMongo } from './support/stores';

describeWithMongo('MongoDB read models', () => {
  describeReadModelStore('MongoDB', openMongo);

  it('names at start a collection its model has gained since the active generation was made (key_approvals), for reporting tools', async () => {
    const opened = await openMongo();
    const client = await MongoClient.connect(MONGODB_URL as string);
    try {
      await opened.store.init();
      const generations = client.db(opened.database).collection<{ _id: string; collections: Record<string, string> }>('read_model_generations');
      // As a release before key_approvals left it.
      await generations.updateOne({ _id: 'pending-keys' }, { $unset: { 'collections.key_approvals': '' } });
      await opened.store.init();
      expect((await generations.findOne({ _id: 'pending-keys' }))?.collections).toEqual({ pending_keys: 'pending_keys_1', key_approvals: 'key_approvals_1' });
    } finally {
      await client.close();
      await opened.cleanup();
    }
  });

  // FerretDB 1.24 holds a PostgreSQL connection per statement of an update command until it ends:
  // two writers sending commands of 32 at once wedged it for good (its pool is 50), mid-run in CI.
  it('lets two stores write batches of updates at once, to one server, both to their end', async () => {
    const writers = [await openMongo(), await openMongo()];
    try {
      await Promise.all(writers.map(({ store }) => store.init()));
      const batch = (round: number) =>
        Array.from({ length: 200 }, (_, i) => ({
          change: { kind: 'upsert', collection: 'agent_browsers', id: `b${i}`, document: { orgId: 'o1', agentId: `a${i}`, browserId: `b${i}`, promptFrequency: 'DAILY', round } } as DocumentChange,
          version: changeVersion(BigInt(round * 1000 + i + 1), 0),
        }));
      for (let round = 1; round <= 3; round++) {
        await Promise.all(
          writers.map(async ({ store }) => store.apply('org-status', await store.activeGeneration('org-status'), batch(round), BigInt(round * 1000 + 200))),
        );
      }
      for (const { store } of writers) {
        const documents = await store.find({ collection: 'agent_browsers', conditions: [{ field: 'orgId', op: 'eq', value: 'o1' }], orderBy: 'agentId' });
        expect(documents.map((document) => document.round)).toEqual(Array.from({ length: 200 }, () => 3));
      }
    } finally {
      await Promise.all(writers.map((writer) => writer.cleanup()));
    }
  });
});
