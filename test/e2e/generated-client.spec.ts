import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../src/cli/api-types.generated';
import { checkedFetch } from '../support/answer-contract';
import { generateKeyPair, type TestKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';

type Api = Client<paths>;

/** The success body of a call, or the test fails with the problem the server answered. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) throw new Error(`${result.response.url}: ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data;
}

/**
 * The whole journey through a client generated from the served OpenAPI document
 * (openapi-typescript types + openapi-fetch), with no casts: every path, parameter, body and
 * answer below is checked by the compiler against the document, and by the server at run time;
 * every answer against the document too (checkedFetch).
 */
describe('a client generated from the OpenAPI document', () => {
  const suite = serverForSuite();
  const clientOf = (token: string): Api => createClient<paths>({ baseUrl: suite.server.url, headers: { authorization: `Bearer ${token}` }, fetch: checkedFetch });

  /** A KEY_REQUEST challenge signed by the new key, and the request itself. */
  async function requestKey(api: Api, orgId: string, key: TestKeyPair) {
    const challenge = ok(await api.POST('/v1/orgs/{orgId}/challenges', { params: { path: { orgId } }, body: { purpose: 'KEY_REQUEST', publicKey: key.publicKey } }));
    return ok(
      await api.POST('/v1/orgs/{orgId}/key-requests', {
        params: { path: { orgId } },
        body: { publicKey: key.publicKey, challengeId: challenge.challengeId, signature: key.sign(challenge.statement) },
      }),
    );
  }

  async function signedDecision(api: Api, orgId: string, key: TestKeyPair, requestId: string, decision: 'APPROVE' | 'REJECT') {
    const challenge = ok(await api.POST('/v1/orgs/{orgId}/challenges', { params: { path: { orgId } }, body: { purpose: 'KEY_DECISION', requestId, decision } }));
    return { challengeId: challenge.challengeId, signature: key.sign(challenge.statement) };
  }

  it('creates an org, approves, rejects and revokes keys, prompts, authorizes tasks, and reads the audit trail', async () => {
    const operator = clientOf(suite.server.bootstrapToken);
    const created = ok(
      await operator.POST('/v1/orgs', {
        body: { name: 'Acme Support', superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' } },
      }),
    );
    const orgId = created.orgId;
    const org = { params: { path: { orgId } } };
    const alice = clientOf(await suite.server.token(orgId, 'alice'));
    expect(ok(await alice.GET('/v1/orgs/{orgId}', org))).toEqual({ orgId, name: 'Acme Support', policy: DEFAULT_ORG_POLICY, agents: 1, firstKeyAssigned: false });

    const aliceKey = generateKeyPair();
    expect(await requestKey(alice, orgId, aliceKey)).toEqual(expect.objectContaining({ status: 'APPROVED', fingerprint: aliceKey.fingerprint }));

    for (const [agentId, role] of [['bob', 'MEMBER'], ['dave', 'MEMBER'], ['erin', 'MEMBER']] as const) {
      ok(await alice.POST('/v1/orgs/{orgId}/agents', { ...org, body: { agentId, email: `${agentId}@example.com`, displayName: agentId, role } }));
    }
    const promoted = ok(await alice.PATCH('/v1/orgs/{orgId}/agents/{agentId}', { params: { path: { orgId, agentId: 'erin' } }, body: { role: 'AUDITOR' } }));
    expect(promoted.position).toMatch(/^\d+$/);

    // Bob's request, approved with the code he reads out; Dave's, rejected.
    const bob = clientOf(await suite.server.token(orgId, 'bob'));
    const bobKey = generateKeyPair();
    const bobRequest = await requestKey(bob, orgId, bobKey);
    expect(bobRequest.status).toBe('PENDING');
    const dave = clientOf(await suite.server.token(orgId, 'dave'));
    const daveRequest = await requestKey(dave, orgId, generateKeyPair());

    const pending = ok(
      await alice.GET('/v1/orgs/{orgId}/key-requests', { params: { path: { orgId }, query: { status: 'PENDING' }, header: { 'X-Min-Position': daveRequest.position } } }),
    );
    expect(pending.items.map((item) => item.requestId)).toEqual([bobRequest.requestId, daveRequest.requestId]);
    const seen = ok(await bob.GET('/v1/orgs/{orgId}/key-requests/{requestId}', { params: { path: { orgId, requestId: bobRequest.requestId } } }));
    expect(seen).toEqual(expect.objectContaining({ agentId: 'bob', status: 'PENDING', verificationCode: bobRequest.verificationCode }));

    const approved = ok(
      await alice.POST('/v1/orgs/{orgId}/key-requests/{requestId}/approve', {
        params: { path: { orgId, requestId: bobRequest.requestId } },
        body: { verificationCode: bobRequest.verificationCode, ...(await signedDecision(alice, orgId, aliceKey, bobRequest.requestId, 'APPROVE')) },
      }),
    );
    expect(approved.status).toBe('APPROVED');
    const rejected = ok(
      await alice.POST('/v1/orgs/{orgId}/key-requests/{requestId}/reject', {
        params: { path: { orgId, requestId: daveRequest.requestId } },
        body: { reason: 'Not this one', ...(await signedDecision(alice, orgId, aliceKey, daveRequest.requestId, 'REJECT')) },
      }),
    );
    expect(rejected.status).toBe('REJECTED');

    // Bob's browser: a task needs a signature (the typed 401 says so); once DAILY, it is remembered.
    const browser = { params: { path: { orgId, agentId: 'bob', browserId: 'laptop' } } };
    const unsigned = await bob.POST('/v1/orgs/{orgId}/sensitive-tasks', { ...org, body: { browserId: 'laptop', task: 'remote-control:device-42' } });
    expect(unsigned.response.status).toBe(401);
    expect(unsigned.error).toEqual(expect.objectContaining({ code: 'PROMPT_REQUIRED', promptRequired: true }));
    const task = ok(await bob.POST('/v1/orgs/{orgId}/challenges', { ...org, body: { purpose: 'SENSITIVE_TASK', browserId: 'laptop', task: 'remote-control:device-42' } }));
    const signed = ok(
      await bob.POST('/v1/orgs/{orgId}/sensitive-tasks', {
        ...org,
        body: { browserId: 'laptop', task: 'remote-control:device-42', challengeId: task.challengeId, signature: bobKey.sign(task.statement) },
      }),
    );
    expect(signed).toEqual(expect.objectContaining({ authorized: true, method: 'SIGNATURE' }));
    const frequency = ok(await bob.POST('/v1/orgs/{orgId}/challenges', { ...org, body: { purpose: 'PROMPT_FREQUENCY', browserId: 'laptop', frequency: 'DAILY' } }));
    const set = ok(
      await bob.PUT('/v1/orgs/{orgId}/agents/{agentId}/browsers/{browserId}/prompt-frequency', {
        ...browser,
        body: { frequency: 'DAILY', challengeId: frequency.challengeId, signature: bobKey.sign(frequency.statement) },
      }),
    );
    expect(set.frequency).toBe('DAILY');
    const remembered = ok(await bob.POST('/v1/orgs/{orgId}/sensitive-tasks', { ...org, body: { browserId: 'laptop', task: 'remote-control:device-43' } }));
    expect(remembered.method).toBe('REMEMBERED');
    expect(ok(await bob.POST('/v1/orgs/{orgId}/agents/{agentId}/browsers/{browserId}/logout', browser)).frequency).toBe('EVERY_TASK');

    // Revoke Bob's key, remove Dave; the auditor reads what happened.
    ok(await alice.DELETE('/v1/orgs/{orgId}/agents/{agentId}/key', { params: { path: { orgId, agentId: 'bob' } }, body: { reason: 'Laptop lost' } }));
    const removed = ok(await alice.DELETE('/v1/orgs/{orgId}/agents/{agentId}', { params: { path: { orgId, agentId: 'dave' } } }));
    const last = removed.position ?? '0';

    const erin = clientOf(await suite.server.token(orgId, 'erin'));
    const fresh = { params: { path: { orgId }, header: { 'X-Min-Position': last } } };
    const status = ok(await erin.GET('/v1/orgs/{orgId}/zero-trust-status', fresh));
    expect(Object.fromEntries(status.agents.map((agent) => [agent.agentId, agent.keyStatus]))).toEqual({ alice: 'ACTIVE', bob: 'REVOKED', erin: 'NONE' });
    expect(status.totals.agents).toBe(3);
    const log = ok(await erin.GET('/v1/orgs/{orgId}/audit-log', { params: { path: { orgId }, query: { limit: 100 }, header: { 'X-Min-Position': last } } }));
    const types = log.items.map((entry) => entry.type);
    expect(types).toEqual(expect.arrayContaining(['OrganizationCreated', 'KeyApproved', 'KeyRejected', 'KeyRevoked', 'SensitiveTaskAuthorized', 'SensitiveTaskRefused', 'AgentRemoved']));

    const exported = ok(await erin.GET('/v1/orgs/{orgId}/audit-log/export', { ...fresh, parseAs: 'text' }));
    expect(exported.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(log.items);
  });
});
