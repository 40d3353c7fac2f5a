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
});
