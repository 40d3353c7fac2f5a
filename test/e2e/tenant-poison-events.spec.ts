import { readModelStores, dropMongoDatabase } from '../support/mongo-database';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';

/** A database of its own: a read-model store belongs to one event log (this server's). */
const stores = readModelStores('ztkeys_poison', 'a tenant poisoning the projector');

/** Ids at their longest (128) with every character an id may hold, and names of Object.prototype members. */
const LONG_ID = `a${'.@_-9'.repeat(25)}b.z`.slice(0, 128);
const ODD_IDS = [LONG_ID, 'constructor', 'hasOwnProperty', 'toString', '0', '1e3', 'a.b.c', 'x@y'];
/** Text at its longest (200 code points, astral ones too) that looks like operators, paths or prototype keys. */
const ODD_TEXT = ['$where', '$ne.$gt', '__proto__', 'constructor.prototype', 'a.b.$c', `$${'𝒳'.repeat(199)}`, `${'.'.repeat(199)}$`];

/**
 * Angle 1 of the MongoDB probe: everything a tenant's SUPER_ADMIN can put into the log at its
 * longest and oddest, then another org's write: the projector must apply both, so the other org's
 * reads move on (a projection or store write that threw would hold every org at that event).
 */
describe.each(stores)('a tenant cannot stall the read models of other orgs (%s)', (_name, env) => {
  const suite = serverForSuite({ MIN_POSITION_WAIT_MS: '10000', ...env });

  afterAll(async () => {
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  const get = (agent: TestAgent, path: string, position: string) => call(suite.server, 'GET', `/v1/orgs/${agent.orgId}${path}`, agent.token, undefined, { 'x-min-position': position });

  it('projects odd names, ids, browsers, tasks and reasons at their limits, and other orgs read on', async () => {
    const { journey, server } = suite;
    const mallory = await journey.createOrg('mallory');
    await journey.activeKey(mallory, mallory);
    const agents: TestAgent[] = [];
    for (const [i, agentId] of ODD_IDS.entries()) {
      const text = ODD_TEXT[i % ODD_TEXT.length];
      const added = await call(server, 'POST', `/v1/orgs/${mallory.orgId}/agents`, mallory.token, {
        agentId,
        email: `$${'x'.repeat(50)}.$ne+${i}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.example`,
        displayName: text,
        role: 'ADMIN',
      });
      expect({ agentId, status: added.status, body: added.body }).toEqual({ agentId, status: 201, body: expect.anything() });
      const agent: TestAgent = { orgId: mallory.orgId, agentId, token: await server.token(mallory.orgId, agentId) };
      await journey.activeKey(agent, mallory);
      for (const browserId of [LONG_ID, 'constructor']) {
        expect((await journey.setPromptFrequency(agent, browserId, 'DAILY')).status).toBe(200);
        expect((await journey.sensitiveTask(agent, browserId, text, agent.key)).status).toBe(200);
      }
      agents.push(agent);
    }
    const rejected = await journey.requestKey(agents[0], { replacePending: true });
    expect((await journey.decide(mallory, rejected.body.requestId, 'REJECT', { reason: `${'$'.repeat(250)}\n${'.'.repeat(249)}` })).status).toBe(200);
    const revoked = await journey.revokeKey(mallory, agents[1].agentId, `__proto__\n${'$ne'.repeat(163)}`);
    expect(revoked.status).toBe(200);

    const victim = await journey.createOrg('victor');
    const added = await call(server, 'POST', `/v1/orgs/${victim.orgId}/agents`, victim.token, { agentId: 'vera', email: 'vera@example.com', displayName: 'Vera', role: 'MEMBER' });
    expect(added.status).toBe(201);
    const position = String(added.body.position);
    const status = await get(victim, '/zero-trust-status', position);
    expect({ status: status.status, agents: status.body.agents?.map((agent: { agentId: string }) => agent.agentId) }).toEqual({ status: 200, agents: ['vera', 'victor'] });
    const audit = await get(victim, '/audit-log?limit=100', position);
    expect(audit.status).toBe(200);
    const asOf = await get(victim, `/as-of?at=${encodeURIComponent(new Date().toISOString())}`, position);
    expect(asOf.status).toBe(200);

    // The tenant's own documents hold what was sent, unchanged.
    const own = await get(mallory, '/zero-trust-status?limit=100', position);
    expect(own.status).toBe(200);
    const byId = new Map(own.body.agents.map((agent: { agentId: string }) => [agent.agentId, agent]));
    const remembered: Record<string, string> = { constructor: 'DAILY', [LONG_ID]: 'DAILY' };
    for (const [i, agentId] of ODD_IDS.entries()) {
      expect({ agentId, agent: byId.get(agentId) }).toEqual({
        agentId,
        agent: expect.objectContaining({
          displayName: ODD_TEXT[i % ODD_TEXT.length],
          // The revoked agent's browsers went back to EVERY_TASK with the key: not listed.
          promptFrequencies: agentId === agents[1].agentId ? {} : remembered,
        }),
      });
    }
    const exported = await call(server, 'GET', `/v1/orgs/${mallory.orgId}/audit-log/export?type=SensitiveTaskAuthorized`, mallory.token, undefined, { 'x-min-position': position });
    const tasks = (exported.body as string).trim().split('\n').map((line) => JSON.parse(line).data.task);
    expect(new Set(tasks)).toEqual(new Set(ODD_IDS.map((_, i) => ODD_TEXT[i % ODD_TEXT.length])));
  }, 240_000);
});
