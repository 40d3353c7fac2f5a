import { MongoReadModelStore } from '../../src/read-models/mongodb/mongo-read-model-store';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import { closedPort } from '../support/closed-port';

/** MongoDB out of reach (a port nobody listens on): reads fail as an outage, which the API answers 503. */
describe('MongoReadModelStore with its server down', () => {
  it('fails reads and checkpoints as StoreUnavailable, not as a bug', async () => {
    const store = new MongoReadModelStore({ url: `mongodb://127.0.0.1:${await closedPort()}/ztkeys` });
    try {
      const [find, checkpoint] = await Promise.all([
        store.find({ collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: 'o' }], orderBy: 'position' }).catch((e: unknown) => e),
        store.checkpoint('audit-log', 1).catch((e: unknown) => e),
      ]);
      expect(find).toBeInstanceOf(StoreUnavailable);
      expect(checkpoint).toBeInstanceOf(StoreUnavailable);
      expect(await store.ping()).toBe(false);
    } finally {
      await store.close();
    }
  }, 30_000);
});
