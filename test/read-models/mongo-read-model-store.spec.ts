import { describeReadModelStore } from './read-model-store.contract';
import { MongoClient } from 'mongodb';
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
});
