import { checkpointOrigin, openCheckpoint } from '../../src/transparency/checkpoint';
import { DEFAULT_LOG_KEY_NAME } from '../../src/transparency/log-key';
import { verifyInclusion } from '../../src/transparency/merkle-tree';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { call, Journey } from '../support/api-client';
import { dropMongoDatabase, readModelStores } from '../support/mongo-database';
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
