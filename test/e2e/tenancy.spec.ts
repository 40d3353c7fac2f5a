import { newId } from '../../src/shared/ids';
import { call, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { expectNothingWritten, expectProblem } from './expectations';
import { registeredRoutes, type Route } from './registered-routes';

/** One org as the tests set it up: alice (SUPER_ADMIN, key), bob (MEMBER) with a PENDING request, zed only where asked. */
interface Org {
  alice: TestAgent;
  bob: TestAgent;
  request: Reply;
}

describe('tenancy (R14): another org is as if it did not exist', () => {
  const suite = serverForSuite();
  let a: Org;
  let b: Org;

  async function org(extraAgent?: string): Promise<Org> {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const bob = await suite.journey.addAgent(alice, 'bob');
    if (extraAgent) await suite.journey.addAgent(alice, extraAgent, 'ADMIN');
    return { alice, bob, request: await suite.journey.requestKey(bob) };
  }

  beforeAll(async () => {
    // Both orgs have agents of the same names: only the org tells them apart.
    a = await org();
    b = await org('zed');
  });

  /** A body each command would accept in its own org, built by B's super admin: a real attempt, not junk. */
  async function attackBody(route: Route): Promise<unknown> {
    const attacker = b.alice;
    const signed = (body: Record<string, unknown>) => suite.journey.signed(attacker, attacker.key!, body);
    const key = generateKeyPair();
    switch (`${route.method} ${route.path}`) {
      case 'POST /v1/orgs/:orgId/agents':
        return { agentId: 'mallory', email: 'mallory@example.com', displayName: 'Mallory', role: 'SUPER_ADMIN' };
      case 'PATCH /v1/orgs/:orgId/agents/:agentId':
        return { role: 'SUPER_ADMIN' };
      case 'DELETE /v1/orgs/:orgId/agents/:agentId/key':
        return { reason: 'hostile takeover' };
      case 'POST /v1/orgs/:orgId/challenges':
        return { purpose: 'KEY_REQUEST', publicKey: key.publicKey };
      case 'POST /v1/orgs/:orgId/key-requests': {
        const { challengeId, signature } = await suite.journey.signed(attacker, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
        return { publicKey: key.publicKey, challengeId, signature };
      }
      case 'POST /v1/orgs/:orgId/key-requests/:requestId/approve': {
        const { challengeId, signature } = await signed({ purpose: 'KEY_DECISION', requestId: b.request.body.requestId, decision: 'APPROVE' });
        return { verificationCode: a.request.body.verificationCode, challengeId, signature };
      }
      case 'POST /v1/orgs/:orgId/key-requests/:requestId/reject': {
        const { challengeId, signature } = await signed({ purpose: 'KEY_DECISION', requestId: b.request.body.requestId, decision: 'REJECT' });
        return { challengeId, signature };
      }
      case 'PUT /v1/orgs/:orgId/agents/:agentId/browsers/:browserId/prompt-frequency': {
        const { challengeId, signature } = await signed({ purpose: 'PROMPT_FREQUENCY', browserId: 'b1', frequency: 'WEEKLY' });
        return { frequency: 'WEEKLY', challengeId, signature };
      }
      case 'POST /v1/orgs/:orgId/sensitive-tasks':
        return { browserId: 'b1', task: 'remote-control:device-42' };
      default:
        return route.hasBody ? {} : undefined;
    }
  }

  /** The route's path with its parameters filled in with ids of org A (or `orgId`). */
  const pathOf = (route: Route, orgId: string): string =>
    route.path
      .replace(':orgId', orgId)
      .replace(':agentId', 'alice')
      .replace(':browserId', 'b1')
      .replace(':requestId', a.request.body.requestId);

  it("answers 404 problem+json to a token of org B on every route of org A, exactly as for an org that does not exist, and writes nothing", async () => {
    // The operator's bootstrap token spans every org (R20 recovery): a token of org B is no bootstrap token (401).
    const routes = registeredRoutes(suite.server.app).filter((route) => route.path.includes(':orgId') && route.access !== 'operator');
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const route of routes) {
      const body = await attackBody(route);
      const [onA, onNowhere] = await expectNothingWritten(suite.server, () =>
        Promise.all([
          call(suite.server, route.method, pathOf(route, a.alice.orgId), b.alice.token, body),
          call(suite.server, route.method, pathOf(route, newId()), b.alice.token, body),
        ]),
      );
      const label = `${route.method} ${route.path}`;
      expect({ label, status: onA.status }).toEqual({ label, status: 404 });
      expectProblem(onA, 404);
      expect({ label, code: onA.body.code, title: onA.body.title }).toEqual({ label, code: onNowhere.body.code, title: onNowhere.body.title });
      expect(onA.body.detail.replace(a.alice.orgId, 'ORG')).toBe(onNowhere.body.detail.replace(/[0-9a-f-]{36}/, 'ORG'));
    }
  });

  it("answers 404 to a token of org A naming a request or an agent of org B", async () => {
    const foreign = b.request.body.requestId;
    const ownRequest = a.request.body.requestId;
    const base = `/v1/orgs/${a.alice.orgId}`;
    await expectNothingWritten(suite.server, async () => {
      expectProblem(await suite.journey.getKeyRequest(a.alice, foreign), 404);
      expectProblem(await suite.journey.challenge(a.alice, { purpose: 'KEY_DECISION', requestId: foreign, decision: 'APPROVE' }), 404);
      // A valid decision challenge of org A, sent to B's request id: the request is not found in A.
      const approveProof = await suite.journey.signed(a.alice, a.alice.key!, { purpose: 'KEY_DECISION', requestId: ownRequest, decision: 'APPROVE' });
      const approve = await call(suite.server, 'POST', `${base}/key-requests/${foreign}/approve`, a.alice.token, {
        verificationCode: b.request.body.verificationCode,
        challengeId: approveProof.challengeId,
        signature: approveProof.signature,
      });
      expectProblem(approve, 404);
      const rejectProof = await suite.journey.signed(a.alice, a.alice.key!, { purpose: 'KEY_DECISION', requestId: ownRequest, decision: 'REJECT' });
      expectProblem(
        await call(suite.server, 'POST', `${base}/key-requests/${foreign}/reject`, a.alice.token, { challengeId: rejectProof.challengeId, signature: rejectProof.signature }),
        404,
      );
      // zed exists only in org B.
      expectProblem(await suite.journey.changeRole(a.alice, 'zed', 'MEMBER'), 404, 'AGENT_NOT_FOUND');
      expectProblem(await suite.journey.removeAgent(a.alice, 'zed'), 404, 'AGENT_NOT_FOUND');
      expectProblem(await suite.journey.revokeKey(a.alice, 'zed'), 404, 'AGENT_NOT_FOUND');
      // And the other way round: B's admin names A's request inside B.
      expectProblem(await suite.journey.challenge(b.alice, { purpose: 'KEY_DECISION', requestId: ownRequest, decision: 'APPROVE' }), 404);
      expectProblem(await suite.journey.getKeyRequest(b.alice, ownRequest), 404);
    });
    // Nothing of A changed: its request still waits, with no failed attempt.
    const view = await suite.journey.getKeyRequest(a.alice, ownRequest);
    expect(view.body).toEqual(expect.objectContaining({ status: 'PENDING', failedAttempts: 0 }));
  });
  /** An org of its own for a test: alice (SUPER_ADMIN) and bob (MEMBER), each with an ACTIVE key. */
  async function keyedOrg(): Promise<{ alice: TestAgent; bob: TestAgent }> {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const bob = await suite.journey.addAgent(alice, 'bob');
    await suite.journey.activeKey(bob, alice);
    return { alice, bob };
  }

  /** The same problem as for `unknown`, the id named in its detail aside. */
  function expectSameProblem(reply: Reply, unknown: Reply, [id, unknownId]: [string, string]): void {
    expectProblem(reply, unknown.status);
    expect({ code: reply.body.code, title: reply.body.title, detail: reply.body.detail.replace(id, 'ID') }).toEqual({
      code: unknown.body.code,
      title: unknown.body.title,
      detail: unknown.body.detail.replace(unknownId, 'ID'),
    });
  }

  it("answers a token of org A naming B's running recovery as one that never was (R20 veto, its challenge), and vetoes nothing", async () => {
    const started = await call(suite.server, 'POST', `/v1/orgs/${b.alice.orgId}/recoveries`, suite.server.bootstrapToken, { agentId: 'alice' });
    expect(started.status).toBe(201);
    const foreign: string = started.body.recoveryId;
    const unknown = `rc_${newId()}`;
    const base = `/v1/orgs/${a.alice.orgId}`;
    await expectNothingWritten(suite.server, async () => {
      const challenge = (recoveryId: string) => suite.journey.challenge(a.alice, { purpose: 'RECOVERY_VETO', recoveryId });
      expectSameProblem(await challenge(foreign), await challenge(unknown), [foreign, unknown]);
      expectProblem(await challenge(foreign), 404, 'RECOVERY_NOT_FOUND');
      // A's own signed proof (no veto challenge of B's recovery can be had in A) sent to B's recovery id.
      const veto = async (recoveryId: string) => {
        const { challengeId, signature } = await suite.journey.signed(a.alice, a.alice.key!, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: 'veto' });
        return call(suite.server, 'POST', `${base}/recoveries/${recoveryId}/veto`, a.alice.token, { challengeId, signature });
      };
      expectSameProblem(await veto(foreign), await veto(unknown), [foreign, unknown]);
      expectProblem(await call(suite.server, 'GET', `${base}/recovery`, a.alice.token), 404, 'NO_RECOVERY');
    });
    const recovery = await call(suite.server, 'GET', `/v1/orgs/${b.alice.orgId}/recovery`, suite.server.bootstrapToken);
    expect(recovery.body).toEqual(expect.objectContaining({ recoveryId: foreign, status: 'RUNNING' }));
  });

  it("keeps Idempotency-Keys and remembered windows per org: A's agent of the same name sending B's key, body and browser gets none of B's answers", async () => {
    const [ours, theirs] = [await keyedOrg(), await keyedOrg()];
    const key = { 'idempotency-key': `tenancy-${newId()}` };
    const task = { browserId: 'laptop', task: 'remote-control:device-42' };
    const tasks = (agent: TestAgent, body: unknown) => call(suite.server, 'POST', `/v1/orgs/${agent.orgId}/sensitive-tasks`, agent.token, body, key);
    // B's bob opens a weekly window in 'laptop' and authorizes a task there with the key.
    expect((await suite.journey.setPromptFrequency(theirs.bob, 'laptop', 'WEEKLY')).status).toBe(200);
    const theirProof = await suite.journey.signed(theirs.bob, theirs.bob.key!, { purpose: 'SENSITIVE_TASK', ...task });
    const theirBody = { ...task, challengeId: theirProof.challengeId, signature: theirProof.signature };
    const theirAnswer = await tasks(theirs.bob, theirBody);
    expect(theirAnswer.body).toEqual(expect.objectContaining({ authorized: true, method: 'SIGNATURE' }));
    // A's bob, same key and browser: no replay of B's answer and no window of B's; a fresh signature is asked for.
    expectProblem(await tasks(ours.bob, task), 401, 'PROMPT_REQUIRED');
    // B's very body under A's path: B's challenge is no challenge of org A, whatever the key.
    expectProblem(await tasks(ours.bob, theirBody), 422, 'CHALLENGE_MISMATCH');
    // Key requests: the same key from agents of the same name in two orgs is two requests.
    const [ourCarol, theirCarol] = [await suite.journey.addAgent(ours.alice, 'carol'), await suite.journey.addAgent(theirs.alice, 'carol')];
    const request = async (agent: TestAgent) => {
      const pair = generateKeyPair();
      const { challengeId, signature } = await suite.journey.signed(agent, pair, { purpose: 'KEY_REQUEST', publicKey: pair.publicKey });
      return call(suite.server, 'POST', `/v1/orgs/${agent.orgId}/key-requests`, agent.token, { publicKey: pair.publicKey, challengeId, signature }, key);
    };
    const [theirRequest, ourRequest] = [await request(theirCarol), await request(ourCarol)];
    expect([theirRequest.status, ourRequest.status]).toEqual([201, 201]);
    expect(ourRequest.body.requestId).not.toBe(theirRequest.body.requestId);
    expectProblem(await suite.journey.getKeyRequest(ours.alice, theirRequest.body.requestId), 404, 'KEY_REQUEST_NOT_FOUND');
  });

  it("reads nothing of org B through B's positions, cursors and agents: A's pages, export, totals and as-of are A's alone", async () => {
    const [ours, theirs] = [await keyedOrg(), await keyedOrg()];
    await suite.journey.addAgent(theirs.alice, 'zed', 'ADMIN');
    // A's only event after B's first one; every read below waits for it (read models are projected after the write).
    const yan = await call(suite.server, 'POST', `/v1/orgs/${ours.alice.orgId}/agents`, ours.alice.token, { agentId: 'yan', email: 'yan@example.com', displayName: 'Yan', role: 'AUDITOR' });
    const read = (agent: TestAgent, path: string) => call(suite.server, 'GET', `/v1/orgs/${agent.orgId}/${path}`, agent.token, undefined, { 'x-min-position': yan.body.position });
    const log = (agent: TestAgent, query: string) => read(agent, `audit-log?${query}`);
    const theirPage = await log(theirs.alice, 'limit=1');
    const theirFirst: number = theirPage.body.items[0].position;
    const seen = (items: { type: string; subject: string | null; stream: string }[]) => items.map(({ type, subject, stream }) => [type, subject, stream.includes(ours.alice.orgId)]);
    const onlyYan = [['AgentAdded', 'yan', true]];
    expect(seen((await log(ours.alice, `after=${theirFirst}`)).body.items)).toEqual(onlyYan);
    expect(seen((await log(ours.alice, `cursor=${theirPage.body.nextCursor}`)).body.items)).toEqual(onlyYan);
    const exported = await read(ours.alice, `audit-log/export?after=${theirFirst}`);
    // One NDJSON line is a JSON document too: the client gives it parsed.
    const lines = typeof exported.body === 'string' ? exported.body.trim().split('\n').map((line) => JSON.parse(line)) : [exported.body];
    expect(seen(lines)).toEqual(onlyYan);
    expect((await log(ours.alice, 'subject=zed')).body.items).toEqual([]);
    const status = await read(ours.alice, 'zero-trust-status');
    expect(status.body.agents.map((agent: { agentId: string }) => agent.agentId)).toEqual(['alice', 'bob', 'yan']);
    expect(status.body.totals).toEqual(expect.objectContaining({ agents: 3, withActiveKey: 2 }));
    const asOf = await read(ours.alice, `as-of?at=${new Date().toISOString()}`);
    expect(asOf.body.agents.map((agent: { agentId: string }) => agent.agentId)).toEqual(['alice', 'bob']);
  });

  it("refuses a token of org A whose org claim was edited to B's (401), on B's routes as on A's", async () => {
    const [header, payload, signature] = a.alice.token.split('.');
    const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), org: b.alice.orgId };
    const edited = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    for (const orgId of [b.alice.orgId, a.alice.orgId]) {
      expectProblem(await call(suite.server, 'GET', `/v1/orgs/${orgId}`, edited), 401, 'UNAUTHENTICATED');
    }
  });
});
