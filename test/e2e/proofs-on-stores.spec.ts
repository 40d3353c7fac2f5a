import { checkpointOrigin, openCheckpoint } from '../../src/transparency/checkpoint';
import { DEFAULT_LOG_KEY_NAME } from '../../src/transparency/log-key';
import { verifyInclusion } from '../../src/transparency/merkle-tree';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { call, Journey } from '../support/api-client';
import { dropMongoDatabase, readModelStores } from '../support/mongo-database';
import { serverForSuite } from '../support/server-for-suite';
import { startTestServer, type TestServer } from '../support/test-server';
import { signedLog } from './signed-export';

const stores = readModelStores('ztkeys_e2e_proofs', 'proofs over HTTP with the MongoDB node store');

/** Inclusion proofs served from each Merkle node store adapter verify against the signed checkpoint. */
describe.each(stores)('proofs over HTTP from the node store (%s)', (_name, env) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50', ...env });
  });
  afterAll(async () => {
    await server.close();
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  it('serves an inclusion proof of every event that verifies against the latest checkpoint', async () => {
    const journey = new Journey(server);
    const admin = await journey.createOrg('alice');
    for (const agentId of ['bob', 'carol', 'dave']) await journey.addAgent(admin, agentId);
    const key = parseVerifierKey((await call(server, 'GET', '/v1/log-key')).body as string);
    const signed = openCheckpoint((await signedLog(server, admin)).note, key, checkpointOrigin(DEFAULT_LOG_KEY_NAME, admin.orgId));
    const hash = (text: string) => Buffer.from(text, 'base64');
    for (let index = 0; index < signed.size; index++) {
      const reply = await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/inclusion?index=${index}&size=${signed.size}`, admin.token);
      expect(reply.status).toBe(200);
      expect(verifyInclusion(hash(reply.body.leafHash), index, signed.size, reply.body.proof.map(hash), signed.rootHash)).toBe(true);
    }
  });
});

/**
 * An org's checkpoints grow with its activity (one within LOG_CHECKPOINT_DELAY_MS of each burst of
 * events: ~86,000 a day for an org busy every second) and its age (one each LOG_CHECKPOINT_IDLE_MS):
 * the latest is one keyed read, so that polling it (clients and witnesses do) costs an org of years
 * what it costs a new one, and never holds the read-model store from the other orgs.
 */
describe.each(stores)('proofs of an org of many checkpoints (%s)', (_name, env) => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50', LOG_CHECKPOINT_IDLE_MS: '5', ...env });
  afterAll(async () => {
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  it('reads the latest checkpoint alone, not every checkpoint of the org, for the checkpoint and each proof', async () => {
    const { server, journey } = suite;
    const admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    const checkpointNotes = async (): Promise<string[]> => {
      const exported = await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export?type=CheckpointSigned`, admin.token);
      // One line parses as JSON whole.
      const text = typeof exported.body === 'string' ? exported.body : JSON.stringify(exported.body);
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { data: { note: string } }).data.note);
    };
    let notes = await checkpointNotes();
    while (notes.length < 300) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      notes = await checkpointNotes();
    }
    const [bobAdded] = (await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log?subject=bob&type=AgentAdded`, admin.token)).body.items as { eventId: string }[];

    const find = jest.spyOn(server.readModels, 'find');
    const read: Record<string, number> = {};
    for (const path of ['/audit-log/checkpoint', '/audit-log/consistency?from=1&to=2', `/audit-log/inclusion?eventId=${bobAdded.eventId}`, '/audit-log/inclusion?index=0&size=2']) {
      find.mockClear();
      const latestBefore = notes.length - 1;
      const reply = await call(server, 'GET', `/v1/orgs/${admin.orgId}${path}`, admin.token);
      expect({ path, status: reply.status }).toEqual({ path, status: 200 });
      const found = await Promise.all(find.mock.results.map((result) => result.value as Promise<unknown[]>));
      read[path] = found.reduce((sum, documents) => sum + documents.length, 0);
      notes = await checkpointNotes();
      // The latest: the last one exported before the request, or one signed since (no witness cosigns here).
      if (path === '/audit-log/checkpoint') expect(notes.indexOf(reply.body as string)).toBeGreaterThanOrEqual(latestBefore);
    }
    find.mockRestore();
    expect(read).toEqual({
      '/audit-log/checkpoint': 1,
      '/audit-log/consistency?from=1&to=2': 1,
      [`/audit-log/inclusion?eventId=${bobAdded.eventId}`]: 1,
      '/audit-log/inclusion?index=0&size=2': 1,
    });
  }, 120_000);
});
