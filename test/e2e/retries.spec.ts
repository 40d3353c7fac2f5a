import { call, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { loggedEvents } from './event-log';
import { expectAccepted, expectProblem } from './expectations';

/**
 * What each command answers when its client, having lost the first answer (a timeout, a reset
 * connection), sends the very same request again without an Idempotency-Key: the README's table
 * of retries, statement by statement. `retried` sends it twice and returns both answers and the
 * types of the events the second one wrote.
 */
describe('a command sent twice, the first answer lost (real server)', () => {
  const suite = serverForSuite();
  let alice: TestAgent;
  let agents = 0;

  async function retried(send: () => Promise<Reply>): Promise<{ first: Reply; second: Reply; wrote: string[] }> {
    const first = await send();
    const head = (await loggedEvents(suite.server)).length;
    const second = await send();
    return { first, second, wrote: (await loggedEvents(suite.server)).slice(head).map((event) => event.type) };
  }

  const newAgent = (role = 'MEMBER') => suite.journey.addAgent(alice, `agent-${++agents}`, role);
  const signed = (agent: TestAgent, body: Record<string, unknown>) => suite.journey.signed(agent, agent.key!, body);

  beforeAll(async () => {
    alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
  });

  it('POST /v1/orgs: a second organization (send an Idempotency-Key)', async () => {
    const body = { name: 'Acme', superAdmin: { agentId: 'zoe', email: 'zoe@example.com', displayName: 'Zoe' } };
    const { first, second, wrote } = await retried(() => call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, body));
    expectAccepted(second, 201);
    expect(second.body.orgId).not.toBe(first.body.orgId);
    expect(wrote).toEqual(['OrganizationCreated', 'AgentAdded']);
  });

  it('POST agents: 409 AGENT_EXISTS, nothing written', async () => {
    const body = { agentId: `agent-${++agents}`, email: 'a@example.com', displayName: 'A', role: 'MEMBER' };
    const { first, second, wrote } = await retried(() => call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, alice.token, body));
    expectAccepted(first, 201);
    expectProblem(second, 409, 'AGENT_EXISTS');
    expect(wrote).toEqual([]);
  });

  it('PATCH agents/{agentId}: 200 with position null (nothing recorded: the role already is that)', async () => {
    const bob = await newAgent();
    const { first, second, wrote } = await retried(() => suite.journey.changeRole(alice, bob.agentId, 'ADMIN'));
    expectAccepted(first, 200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ position: null });
    expect(wrote).toEqual([]);
  });

  it('DELETE agents/{agentId}: 404 AGENT_NOT_FOUND, nothing written', async () => {
    const bob = await newAgent();
    const { first, second, wrote } = await retried(() => suite.journey.removeAgent(alice, bob.agentId));
    expectAccepted(first, 200);
    expectProblem(second, 404, 'AGENT_NOT_FOUND');
    expect(wrote).toEqual([]);
  });

  it.each([false, true])('POST key-requests (replacePending %s): 422 CHALLENGE_REPLAYED saying the first went through, nothing written', async (replacePending) => {
    const bob = await newAgent();
    if (replacePending) await suite.journey.requestKey(bob);
    const key = generateKeyPair();
    const proof = await suite.journey.signed(bob, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
    const body = { publicKey: key.publicKey, challengeId: proof.challengeId, signature: proof.signature, replacePending };
    const { first, second, wrote } = await retried(() => call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests`, bob.token, body));
    expectAccepted(first, 201);
    expectProblem(second, 422, 'CHALLENGE_REPLAYED');
    expect(second.body.detail).toMatch(/answer was lost went through the first time/);
    expect(wrote).toEqual([]);
  });

  it.each(['approve', 'reject'] as const)('POST key-requests/{id}/%s: 409 REQUEST_NOT_PENDING naming the status reached, nothing written', async (action) => {
    const bob = await newAgent();
    const requested = await suite.journey.requestKey(bob);
    const decision = action === 'approve' ? 'APPROVE' : 'REJECT';
    const proof = await signed(alice, { purpose: 'KEY_DECISION', requestId: requested.body.requestId, decision });
    const body = { challengeId: proof.challengeId, signature: proof.signature, ...(action === 'approve' ? { verificationCode: requested.body.verificationCode } : {}) };
    const { first, second, wrote } = await retried(() => call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests/${requested.body.requestId}/${action}`, alice.token, body));
    expectAccepted(first, 200);
    expectProblem(second, 409, 'REQUEST_NOT_PENDING');
    expect(second.body.detail).toContain(action === 'approve' ? 'APPROVED' : 'REJECTED');
    expect(wrote).toEqual([]);
  });

  it('DELETE agents/{agentId}/key: 404 NO_ACTIVE_KEY naming the key that is REVOKED, nothing written', async () => {
    const bob = await newAgent();
    await suite.journey.activeKey(bob, alice);
    const { fingerprint } = (await loggedEvents(suite.server, alice.orgId)).filter((event) => event.type === 'KeyApproved').at(-1)!.data as { fingerprint: string };
    const { first, second, wrote } = await retried(() => suite.journey.revokeKey(alice, bob.agentId));
    expectAccepted(first, 200);
    expectProblem(second, 404, 'NO_ACTIVE_KEY');
    expect(second.body.lastKey).toEqual({ fingerprint, status: 'REVOKED' });
    expect(second.body.detail).toContain(`${fingerprint} is REVOKED`);
    expect(wrote).toEqual([]);
  });

  type SignedRequest = { challenge: Record<string, string>; method: string; path: (agent: TestAgent) => string; body: Record<string, string> };
  it.each<[string, SignedRequest]>([
    [
      'PUT prompt-frequency',
      { challenge: { purpose: 'PROMPT_FREQUENCY', browserId: 'laptop', frequency: 'DAILY' }, method: 'PUT', path: (agent) => `/v1/orgs/${agent.orgId}/agents/${agent.agentId}/browsers/laptop/prompt-frequency`, body: { frequency: 'DAILY' } },
    ],
    [
      'POST sensitive-tasks, signed',
      { challenge: { purpose: 'SENSITIVE_TASK', browserId: 'desk', task: 'remote-control' }, method: 'POST', path: (agent) => `/v1/orgs/${agent.orgId}/sensitive-tasks`, body: { browserId: 'desk', task: 'remote-control' } },
    ],
  ])('%s: 422 CHALLENGE_REPLAYED, nothing written', async (_, { challenge, method, path, body }) => {
    const bob = await newAgent();
    await suite.journey.activeKey(bob, alice);
    const proof = await signed(bob, challenge);
    const { first, second, wrote } = await retried(() => call(suite.server, method, path(bob), bob.token, { ...body, challengeId: proof.challengeId, signature: proof.signature }));
    expectAccepted(first, 200);
    expectProblem(second, 422, 'CHALLENGE_REPLAYED');
    expect(wrote).toEqual([]);
  });

  it('PUT policy: 422 CHALLENGE_REPLAYED, nothing written', async () => {
    const policy = { ...(await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}`, alice.token)).body.policy, recoveryDelayHours: 96 };
    const proof = await signed(alice, { purpose: 'ORG_POLICY', ...policy });
    const { first, second, wrote } = await retried(() => call(suite.server, 'PUT', `/v1/orgs/${alice.orgId}/policy`, alice.token, { policy, challengeId: proof.challengeId, signature: proof.signature }));
    expectAccepted(first, 200);
    expectProblem(second, 422, 'CHALLENGE_REPLAYED');
    expect(wrote).toEqual([]);
  });

  it('POST sensitive-tasks, remembered: a second authorization recorded', async () => {
    const bob = await newAgent();
    await suite.journey.activeKey(bob, alice);
    expectAccepted(await suite.journey.setPromptFrequency(bob, 'laptop', 'DAILY'), 200);
    const { first, second, wrote } = await retried(() => suite.journey.sensitiveTask(bob, 'laptop', 'remote-control'));
    expectAccepted(first, 200);
    expectAccepted(second, 200);
    expect(wrote).toEqual(['SensitiveTaskAuthorized']);
  });

  it('POST browsers/{browserId}/logout: 200 with the position of the logout already recorded, nothing written', async () => {
    const bob = await newAgent();
    await suite.journey.activeKey(bob, alice);
    expectAccepted(await suite.journey.setPromptFrequency(bob, 'laptop', 'DAILY'), 200);
    const { first, second, wrote } = await retried(() => suite.journey.logout(bob, 'laptop'));
    expectAccepted(first, 200);
    expect(second).toEqual(first);
    expect(wrote).toEqual([]);
  });

  it('POST browsers/{browserId}/logout after a signature made since: recorded again, as it forgets that signature', async () => {
    const bob = await newAgent();
    await suite.journey.activeKey(bob, alice);
    expectAccepted(await suite.journey.logout(bob, 'desk'), 200);
    expectAccepted(await suite.journey.sensitiveTask(bob, 'desk', 'remote-control', bob.key), 200);
    const head = (await loggedEvents(suite.server)).length;
    expectAccepted(await suite.journey.logout(bob, 'desk'), 200);
    expect((await loggedEvents(suite.server)).slice(head).map((event) => event.type)).toEqual(['PromptFrequencyChanged']);
  });

  it('POST recoveries, then veto: 409 RECOVERY_IN_PROGRESS and 409 RECOVERY_NOT_RUNNING naming the recovery, nothing written', async () => {
    const start = await retried(() => call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/recoveries`, suite.server.bootstrapToken, { agentId: 'alice' }));
    expectAccepted(start.first, 201);
    expectProblem(start.second, 409, 'RECOVERY_IN_PROGRESS');
    expect(start.second.body.detail).toContain(start.first.body.recoveryId);
    expect(start.wrote).toEqual([]);
    const { recoveryId } = start.first.body;
    const proof = await signed(alice, { purpose: 'RECOVERY_VETO', recoveryId });
    const veto = await retried(() => call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/recoveries/${recoveryId}/veto`, alice.token, { challengeId: proof.challengeId, signature: proof.signature }));
    expectAccepted(veto.first, 200);
    expectProblem(veto.second, 409, 'RECOVERY_NOT_RUNNING');
    expect(veto.second.body.detail).toContain('VETOED');
    expect(veto.wrote).toEqual([]);
  });

  it('POST challenges: another challenge, nothing written', async () => {
    const { first, second, wrote } = await retried(() => suite.journey.challenge(alice, { purpose: 'SENSITIVE_TASK', browserId: 'x', task: 'y' }));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.challengeId).not.toBe(first.body.challengeId);
    expect(wrote).toEqual([]);
  });
});
