import type { OrgPolicy } from '../../src/domain/organization/org-policy';
import { checkedFetch } from './answer-contract';
import { generateKeyPair, type TestKeyPair } from './ed25519-keys';
import type { TestServer } from './test-server';

export interface Reply<T = any> {
  status: number;
  contentType: string;
  body: T;
}

/** A thin HTTP client for tests: JSON in, JSON (or problem+json) out; the answer must be what the OpenAPI document declares. */
export async function call<T = any>(server: TestServer, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const response = await checkedFetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, contentType, body: parsed as T };
}

/** An agent as tests drive them: a token, and a key pair once they have one. */
export interface TestAgent {
  orgId: string;
  agentId: string;
  token: string;
  key?: TestKeyPair;
}

export class Journey {
  constructor(readonly server: TestServer) {}

  async createOrg(superAdminId = 'alice', policy?: Partial<OrgPolicy>): Promise<TestAgent> {
    const reply = await call(this.server, 'POST', '/v1/orgs', this.server.bootstrapToken, {
      name: 'Acme Support',
      superAdmin: { agentId: superAdminId, email: `${superAdminId}@example.com`, displayName: superAdminId },
      ...(policy ? { policy } : {}),
    });
    if (reply.status !== 201) throw new Error(`createOrg: ${reply.status} ${JSON.stringify(reply.body)}`);
    return { orgId: reply.body.orgId, agentId: superAdminId, token: await this.server.token(reply.body.orgId, superAdminId) };
  }

  async addAgent(admin: TestAgent, agentId: string, role = 'MEMBER'): Promise<TestAgent> {
    const reply = await call(this.server, 'POST', `/v1/orgs/${admin.orgId}/agents`, admin.token, {
      agentId,
      email: `${agentId}@example.com`,
      displayName: agentId,
      role,
    });
    if (reply.status !== 201) throw new Error(`addAgent: ${reply.status} ${JSON.stringify(reply.body)}`);
    return { orgId: admin.orgId, agentId, token: await this.server.token(admin.orgId, agentId) };
  }

  challenge(agent: TestAgent, body: Record<string, unknown>): Promise<Reply> {
    return call(this.server, 'POST', `/v1/orgs/${agent.orgId}/challenges`, agent.token, body);
  }

  /** Gets a challenge and signs its statement with `key`: the body fields of a signed command. */
  async signed(agent: TestAgent, key: TestKeyPair, body: Record<string, unknown>): Promise<{ challengeId: string; signature: string; statement: string }> {
    const reply = await this.challenge(agent, body);
    if (reply.status !== 201) throw new Error(`challenge: ${reply.status} ${JSON.stringify(reply.body)}`);
    return { challengeId: reply.body.challengeId, statement: reply.body.statement, signature: key.sign(reply.body.statement) };
  }

  /** Signed key-request bodies, one per agent with a new key, challenged beforehand so that the requests themselves can hit the server at once. */
  keyRequestBodies(agents: TestAgent[]): Promise<{ publicKey: string; challengeId: string; signature: string }[]> {
    return Promise.all(
      agents.map(async (agent) => {
        const key = generateKeyPair();
        const { challengeId, signature } = await this.signed(agent, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
        return { publicKey: key.publicKey, challengeId, signature };
      }),
    );
  }

  async requestKey(agent: TestAgent, options: { replacePending?: boolean; key?: TestKeyPair } = {}): Promise<Reply> {
    const key = options.key ?? generateKeyPair();
    const { challengeId, signature } = await this.signed(agent, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
    const reply = await call(this.server, 'POST', `/v1/orgs/${agent.orgId}/key-requests`, agent.token, {
      publicKey: key.publicKey,
      challengeId,
      signature,
      ...(options.replacePending ? { replacePending: true } : {}),
    });
    if (reply.status === 201 && reply.body.status === 'APPROVED') agent.key = key;
    (reply as Reply & { key: TestKeyPair }).key = key;
    return reply;
  }

  async decide(approver: TestAgent, requestId: string, decision: 'APPROVE' | 'REJECT', extra: Record<string, unknown> = {}): Promise<Reply> {
    const { challengeId, signature } = await this.signed(approver, approver.key!, { purpose: 'KEY_DECISION', requestId, decision });
    const action = decision === 'APPROVE' ? 'approve' : 'reject';
    return call(this.server, 'POST', `/v1/orgs/${approver.orgId}/key-requests/${requestId}/${action}`, approver.token, { challengeId, signature, ...extra });
  }

  /** R20: sets the org's whole policy, signed by the SUPER_ADMIN's key (their ACTIVE key unless given). */
  async setPolicy(superAdmin: TestAgent, policy: OrgPolicy, key = superAdmin.key!, headers: Record<string, string> = {}): Promise<Reply> {
    const { challengeId, signature } = await this.signed(superAdmin, key, { purpose: 'ORG_POLICY', ...policy });
    return call(this.server, 'PUT', `/v1/orgs/${superAdmin.orgId}/policy`, superAdmin.token, { policy, challengeId, signature }, headers);
  }

  getKeyRequest(agent: TestAgent, requestId: string): Promise<Reply> {
    return call(this.server, 'GET', `/v1/orgs/${agent.orgId}/key-requests/${requestId}`, agent.token);
  }

  changeRole(admin: TestAgent, agentId: string, role: string): Promise<Reply> {
    return call(this.server, 'PATCH', `/v1/orgs/${admin.orgId}/agents/${agentId}`, admin.token, { role });
  }

  removeAgent(admin: TestAgent, agentId: string): Promise<Reply> {
    return call(this.server, 'DELETE', `/v1/orgs/${admin.orgId}/agents/${agentId}`, admin.token);
  }

  revokeKey(admin: TestAgent, agentId: string, reason = 'Laptop lost'): Promise<Reply> {
    return call(this.server, 'DELETE', `/v1/orgs/${admin.orgId}/agents/${agentId}/key`, admin.token, { reason });
  }

  /** R10: sets the prompt frequency of one browser, signed by `key` (the agent's ACTIVE key unless given). */
  async setPromptFrequency(agent: TestAgent, browserId: string, frequency: string, key = agent.key!): Promise<Reply> {
    const { challengeId, signature } = await this.signed(agent, key, { purpose: 'PROMPT_FREQUENCY', browserId, frequency });
    return call(this.server, 'PUT', `/v1/orgs/${agent.orgId}/agents/${agent.agentId}/browsers/${browserId}/prompt-frequency`, agent.token, {
      frequency,
      challengeId,
      signature,
    });
  }

  logout(agent: TestAgent, browserId: string): Promise<Reply> {
    return call(this.server, 'POST', `/v1/orgs/${agent.orgId}/agents/${agent.agentId}/browsers/${browserId}/logout`, agent.token);
  }

  /** R11: asks to perform `task` from `browserId`; signed by `signWith` when given, else hoping to be remembered. */
  async sensitiveTask(agent: TestAgent, browserId: string, task: string, signWith?: TestKeyPair): Promise<Reply> {
    const proof = signWith ? await this.signed(agent, signWith, { purpose: 'SENSITIVE_TASK', browserId, task }) : undefined;
    return call(this.server, 'POST', `/v1/orgs/${agent.orgId}/sensitive-tasks`, agent.token, {
      browserId,
      task,
      ...(proof ? { challengeId: proof.challengeId, signature: proof.signature } : {}),
    });
  }

  /** Requests a key for `agent` and has `approver` approve it with the right code. */
  async activeKey(agent: TestAgent, approver: TestAgent): Promise<TestKeyPair> {
    const requested = (await this.requestKey(agent)) as Reply & { key: TestKeyPair };
    if (requested.body.status === 'APPROVED') return requested.key;
    const approved = await this.decide(approver, requested.body.requestId, 'APPROVE', { verificationCode: requested.body.verificationCode });
    if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
    agent.key = requested.key;
    return requested.key;
  }
}
