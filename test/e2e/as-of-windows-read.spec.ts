import type { DocumentQuery } from '../../src/read-models/read-model-store.port';
import { call } from '../support/api-client';
import { dropMongoDatabase, readModelStores } from '../support/mongo-database';
import { serverForSuite } from '../support/server-for-suite';

const stores = readModelStores('ztkeys_e2e_as_of_windows', 'as-of windows read over HTTP on MongoDB');

/**
 * Every task signed at DAILY or WEEKLY opens a remembered window (R11): an org at its challenge
 * limit signs ~6M a week. An as-of query reads the windows open at its instant, one per browser,
 * not every window opened in the week before it, so one tenant cannot make the API read and fold millions.
 */
describe.each(stores)('as-of over HTTP reads the windows open at the instant, not every signed task (%s)', (_name, env) => {
  const suite = serverForSuite(env);
  afterAll(async () => {
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  it('reads as many windows for 200 signed tasks in one browser as for one', async () => {
    const { server, journey } = suite;
    const admin = await journey.createOrg('alice');
    await journey.activeKey(admin, admin);
    const auditor = await journey.addAgent(admin, 'zoe', 'AUDITOR');
    expect((await journey.setPromptFrequency(admin, 'laptop', 'DAILY')).status).toBe(200);

    /** Documents each as-of query's reads select (what the store reads and folds), and the answer. */
    const asOf = async (at: string, minPosition: string) => {
      const reduce = jest.spyOn(server.readModels, 'reduceJson');
      try {
        const reply = await call(server, 'GET', `/v1/orgs/${admin.orgId}/as-of?at=${encodeURIComponent(at)}`, auditor.token, undefined, { 'X-Min-Position': minPosition });
        expect(reply.status).toBe(200);
        const [queries] = reduce.mock.calls[0];
        const windows = queries.find((query) => query.collection === 'browser_windows') as DocumentQuery;
        return { read: await server.readModels.count(windows), remembered: reply.body.agents.find((agent: { agentId: string }) => agent.agentId === 'alice').rememberedBrowsers };
      } finally {
        reduce.mockRestore();
      }
    };

    let last = (await journey.sensitiveTask(admin, 'laptop', 'remote-control', admin.key)).body;
    const afterOne = new Date().toISOString();
    const one = await asOf(afterOne, last.position);
    for (let task = 1; task < 200; task++) {
      last = (await journey.sensitiveTask(admin, 'laptop', 'remote-control', admin.key)).body;
      expect(last.method).toBe('SIGNATURE');
    }
    const many = await asOf(new Date().toISOString(), last.position);
    expect({ one: one.remembered.length, many: many.remembered.length }).toEqual({ one: 1, many: 1 });
    expect(many.remembered[0].signedAt).not.toBe(one.remembered[0].signedAt);
    expect({ one: one.read, many: many.read }).toEqual({ one: 1, many: 1 });
    // The past is still told as it was: the first window, open then, replaced since.
    expect(await asOf(afterOne, last.position)).toEqual(one);
  }, 120_000);
});
