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
    // Back: the first read answers, although it may go out on a pooled connection the outage closed.
    expect((await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token)).status).toBe(200);

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

  it('answers the first reads after a short outage while it was idle: none is failed by a pooled connection the outage closed', async () => {
    const read = (path: string) => call(server, 'GET', `/v1/orgs/${admin.orgId}/${path}`, admin.token);
    for (let round = 0; round < 3; round++) {
      // Reads at once: the pool holds several connections for the cut to close.
      await Promise.all(['audit-log/export', 'audit-log', 'zero-trust-status', 'audit-log/export'].map(read));
      await hop.down();
      await hop.up();
      for (const path of ['audit-log/export', 'audit-log', 'zero-trust-status']) {
        const reply = await read(path);
        expect({ round, path, status: reply.status, detail: reply.body?.detail }).toEqual({ round, path, status: 200, detail: undefined });
      }
    }
  });
});
