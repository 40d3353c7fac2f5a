import { sign } from 'node:crypto';
import { envelope } from '../../src/application/command-context';
import type { AgentAdded } from '../../src/domain/organization/organization.events';
import { orgStream } from '../../src/domain/streams';
import { newId } from '../../src/shared/ids';
import { ed25519KeyPair } from '../../test/support/ed25519-key-pair';
import type { LoadRequest } from './load';
import type { BenchServer } from './bench-server';

/** What the client needs of a server: in this process (a BenchServer), or another one (its URL and secrets). */
export type BenchTarget = Pick<BenchServer, 'url' | 'bootstrapToken' | 'token'> & Partial<Pick<BenchServer, 'eventStore'>>;

/** An Ed25519 key pair as a client holds it. */
export interface BenchKey {
  /** Raw 32-byte public key, base64url. */
  publicKey: string;
  /** Signature over the UTF-8 statement, base64url. */
  sign(statement: string): string;
}

export function newKey(): BenchKey {
  const { publicKey, privateKey } = ed25519KeyPair();
  return {
    publicKey,
    sign: (statement) => sign(null, Buffer.from(statement, 'utf8'), privateKey).toString('base64url'),
  };
}

export interface BenchAgent {
  orgId: string;
  agentId: string;
  token: string;
  key?: BenchKey;
}

/** A request as the load generator sends it: JSON body, agent token. */
export const jsonRequest = (agent: BenchAgent, method: LoadRequest['method'], path: string, body?: unknown): LoadRequest => ({
  method,
  path,
  headers: { authorization: `Bearer ${agent.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** Runs `work` over `items` with at most `limit` at once; results in item order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index], index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The API calls benchmarks need to set the scene; every unexpected answer throws with its body. */
export class BenchClient {
  constructor(readonly server: BenchTarget) {}

  async call<T = unknown>(request: LoadRequest, expected: number): Promise<T> {
    const response = await fetch(`${this.server.url}${request.path}`, request);
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${request.method} ${request.path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** A fresh org whose SUPER_ADMIN "admin" already holds the org's first key, so later requests wait for approval. */
  async orgWithFirstKey(name: string): Promise<BenchAgent> {
    const created = await this.call<{ orgId: string }>(
      {
        method: 'POST',
        path: '/v1/orgs',
        headers: { authorization: `Bearer ${this.server.bootstrapToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, superAdmin: { agentId: 'admin', email: 'admin@example.com', displayName: 'Admin' } }),
      },
      201,
    );
    const admin: BenchAgent = { orgId: created.orgId, agentId: 'admin', token: await this.server.token(created.orgId, 'admin') };
    const key = newKey();
    const requested = await this.call<{ status: string }>(await this.keyRequest(admin, key), 201);
    if (requested.status !== 'APPROVED') throw new Error(`the first key of org ${name} was not approved: ${JSON.stringify(requested)}`);
    admin.key = key;
    return admin;
  }

  /** A challenge for `body`, signed with `key`: the `{challengeId, signature}` of a signed command. */
  async signedChallenge(agent: BenchAgent, key: BenchKey, body: Record<string, unknown>): Promise<{ challengeId: string; signature: string }> {
    const challenge = await this.call<{ challengeId: string; statement: string }>(
      jsonRequest(agent, 'POST', `/v1/orgs/${agent.orgId}/challenges`, body),
      201,
    );
    return { challengeId: challenge.challengeId, signature: key.sign(challenge.statement) };
  }

  /** `count` signed sensitive-task authorizations of `agent` (R11), a browser each, every challenge issued and signed now. */
  signedTasks(agent: BenchAgent, count: number, task: string): Promise<LoadRequest[]> {
    return inParallel(Array.from({ length: count }), 16, async (_, i) => {
      const browserId = `browser-${i}`;
      const proof = await this.signedChallenge(agent, agent.key!, { purpose: 'SENSITIVE_TASK', browserId, task });
      return jsonRequest(agent, 'POST', `/v1/orgs/${agent.orgId}/sensitive-tasks`, { browserId, task, ...proof });
    });
  }

  /** The request of a key for `agent`, proven by `key` over a fresh KEY_REQUEST challenge, ready to send. */
  async keyRequest(agent: BenchAgent, key: BenchKey): Promise<LoadRequest> {
    const proof = await this.signedChallenge(agent, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
    return jsonRequest(agent, 'POST', `/v1/orgs/${agent.orgId}/key-requests`, { publicKey: key.publicKey, ...proof });
  }

  /**
   * Adds MEMBER agents straight to the org stream in one append, as AddAgent would one by one:
   * thousands of agents in a blink. The app reads the new tail on its next load of the org.
   */
  async seedMembers(admin: BenchAgent, agentIds: readonly string[]): Promise<BenchAgent[]> {
    const stream = orgStream(admin.orgId);
    const eventStore = this.server.eventStore;
    if (!eventStore) throw new Error('seedMembers writes to the event store: it needs a server in this process');
    const existing = await eventStore.readStream(stream);
    const added: AgentAdded[] = agentIds.map((agentId) => ({
      type: 'AgentAdded',
      data: { agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' },
    }));
    const commandId = newId();
    const context = { actor: admin.agentId, orgId: admin.orgId, correlationId: commandId, commandId, now: new Date() };
    await eventStore.append([{ stream, expected: existing[existing.length - 1].revision, events: envelope(added, context) }]);
    return Promise.all(agentIds.map(async (agentId) => ({ orgId: admin.orgId, agentId, token: await this.server.token(admin.orgId, agentId) })));
  }
}
