import { AuditVerifier } from '../../src/transparency/audit-verifier';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { waitFor } from '../notifications/support/wait-for';
import { describeWithMongo, MONGODB_URL } from '../read-models/support/stores';
import { call, Journey, type TestAgent } from '../support/api-client';
import { dropMongoDatabase, throwawayDatabaseName } from '../support/mongo-database';
import { startTestServer, type TestServer } from '../support/test-server';
import { TcpHop } from '../support/tcp-hop';
import { exportLines, signedLog } from './signed-export';

/** MongoDB (read models and Merkle nodes) unreachable for a while under a running server, then back. */
describeWithMongo('MongoDB away and back under a running server', () => {
  const target = new URL(MONGODB_URL as string);
  const database = throwawayDatabaseName('ztkeys_e2e_away');
  const hop = new TcpHop(target);
  let server: TestServer;
  let admin: TestAgent;
  afterAll(async () => {
    await server?.close();
    await hop.down();
    await dropMongoDatabase(MONGODB_URL as string, database);
  });

  it('takes commands while it is away (reads 503), and once back the audit log, the statuses and the checkpoints hold every event', async () => {
    await hop.up();
    server = await startTestServer({ MONGODB_URL: `mongodb://127.0.0.1:${hop.port}/${database}`, LOG_CHECKPOINT_DELAY_MS: '50' });
    const journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    await signedLog(server, admin);

    await hop.down();
    for (const agentId of ['carol', 'dave', 'erin']) await journey.addAgent(admin, agentId);
    const away = await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log`, admin.token);
    expect(away.status).toBe(503);
    await hop.up();
    // Back: a read that meets a pooled connection the outage closed is a 503 (try again shortly), as a client is told.
    await waitFor('reads answered again', async () => (await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token)).status === 200);

    const { leaves } = await signedLog(server, admin, (found) => found.some((line) => line.data?.agentId === 'erin'));
    expect(leaves.filter((line) => line.type === 'AgentAdded').map((line) => line.data.agentId)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    const verifier = new AuditVerifier({ logKey: parseVerifierKey((await call(server, 'GET', '/v1/log-key')).body as string) });
    for (const line of await exportLines(server, admin)) verifier.push(JSON.stringify(line));
    expect(verifier.finish().failure).toBeUndefined();
    const agents = await waitFor('the statuses of every agent', async () => {
      const reply = await call(server, 'GET', `/v1/orgs/${admin.orgId}/zero-trust-status`, admin.token);
      return reply.status === 200 && reply.body.agents?.length === 5 && reply.body.agents;
    });
    expect(agents.map((agent: { agentId: string }) => agent.agentId).sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
  });
});
