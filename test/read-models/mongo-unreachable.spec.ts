import { MongoReadModelStore } from '../../src/read-models/mongodb/mongo-read-model-store';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import { MongoMerkleNodeStore } from '../../src/transparency/node-store/mongo-merkle-node-store';
import { closedPort } from '../support/closed-port';

/** A server-selection timeout the URL gives, far below the stores' own 10 s: the failures below come within it. */
const SELECTION_MS = 500;
const unreachableUrl = async () => `mongodb://127.0.0.1:${await closedPort()}/ztkeys?serverSelectionTimeoutMS=${SELECTION_MS}`;

/** MongoDB out of reach (a port nobody listens on): reads fail as an outage, which the API answers 503. */
describe('MongoReadModelStore with its server down', () => {
  it('fails reads and checkpoints as StoreUnavailable, not as a bug, within the serverSelectionTimeoutMS of its URL', async () => {
    const store = new MongoReadModelStore({ url: await unreachableUrl() });
    try {
      const asked = Date.now();
      const [find, checkpoint] = await Promise.all([
        store.find({ collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: 'o' }], orderBy: 'position' }).catch((e: unknown) => e),
        store.checkpoint('audit-log', 1).catch((e: unknown) => e),
      ]);
      expect(find).toBeInstanceOf(StoreUnavailable);
      expect(checkpoint).toBeInstanceOf(StoreUnavailable);
      expect(await store.ping()).toBe(false);
      // The URL's option, not the store's default (10 s), which overrode it before.
      expect(Date.now() - asked).toBeLessThan(10 * SELECTION_MS);
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe('MongoMerkleNodeStore with its server down', () => {
  it('fails its start within the serverSelectionTimeoutMS of its URL', async () => {
    const store = new MongoMerkleNodeStore({ url: await unreachableUrl() });
    try {
      const asked = Date.now();
      await expect(store.init()).rejects.toThrow();
      expect(Date.now() - asked).toBeLessThan(10 * SELECTION_MS);
    } finally {
      await store.close();
    }
  }, 30_000);
});
