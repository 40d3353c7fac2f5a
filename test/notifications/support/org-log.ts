import { createHash, randomUUID } from 'node:crypto';
import { newId } from '../../../src/shared/ids';
import type { EventStore, NewEvent } from '../../../src/event-store/event-store.port';
import type { OrgPolicy } from '../../../src/domain/organization/org-policy';
import type { Role } from '../../../src/domain/shared/roles';
import type { ApprovalMode, KeyRevoked } from '../../../src/domain/signature-key/key.events';
import { agentStream, orgStream } from '../../../src/domain/streams';
import { SECRET_CODE } from './email-jobs';

export interface Agent {
  agentId: string;
  email: string;
  displayName: string;
}

/** The key request of an agent as the fixture wrote it. */
export interface Requested {
  eventId: string;
  requestId: string;
  fingerprint: string;
  publicKey: string;
}

const proof = { statement: '{"nonce":"n"}', signature: 'c2lnbmF0dXJl', publicKey: 'cHVibGljLWtleQ' };

/**
 * Appends an org's events as the write side records them (types and data of the domain's
 * *.events.ts), so the notifier is tested against the real log without the deciders.
 */
export class OrgLog {
  /** When the events appended from now on happened (a log of history: a date long past). */
  now: () => Date = () => new Date();

  constructor(
    private readonly store: EventStore,
    readonly orgId: string,
  ) {}

  agent(name: string): Agent {
    return { agentId: name.toLowerCase(), email: `${name.toLowerCase()}@${this.orgId}.example`, displayName: name };
  }

  async create(name: string, superAdmin: Agent): Promise<void> {
    await this.org('OrganizationCreated', { orgId: this.orgId, name, policy: { firstKeyRequiresAdmin: true }, superAdminId: superAdmin.agentId });
    await this.add(superAdmin, 'SUPER_ADMIN');
  }

  add(agent: Agent, role: Role): Promise<string> {
    return this.org('AgentAdded', { ...agent, role });
  }

  /** By a SUPER_ADMIN, the event's actor, as the write side records it. */
  changeRole(agent: Agent, from: Role, to: Role, by: Agent): Promise<string> {
    return this.org('AgentRoleChanged', { agentId: agent.agentId, from, to }, by.agentId);
  }

  /** R20: a SUPER_ADMIN's signed change of the whole policy, the event's actor; `previous` is the policy it replaced. */
  changePolicy(previous: OrgPolicy, policy: OrgPolicy, by: Agent): Promise<string> {
    return this.org('OrgPolicyChanged', { policy, previous, changedBy: by.agentId, decision: proof }, by.agentId);
  }

  remove(agent: Agent, role: Role): Promise<string> {
    return this.org('AgentRemoved', { agentId: agent.agentId, role });
  }

  /** A schemaVersion above the catalogue's is a request a newer release wrote (a rolling upgrade). */
  async request(agent: Agent, replacesFingerprint?: string, schemaVersion = 1): Promise<Requested> {
    const publicKey = randomUUID();
    const requested = {
      requestId: randomUUID(),
      publicKey,
      fingerprint: createHash('sha256').update(publicKey).digest('hex'),
    };
    const eventId = await this.key(agent, 'KeyRequested', {
      ...requested,
      agentId: agent.agentId,
      verificationCode: SECRET_CODE,
      proof,
      ...(replacesFingerprint ? { replacesFingerprint } : {}),
    }, schemaVersion);
    return { ...requested, eventId };
  }

  approve(agent: Agent, request: Requested, mode: ApprovalMode, approver?: Agent): Promise<string> {
    const { requestId, publicKey, fingerprint } = request;
    return this.key(agent, 'KeyApproved', {
      requestId,
      agentId: agent.agentId,
      publicKey,
      fingerprint,
      mode,
      ...(approver ? { approvedBy: approver.agentId, decision: proof } : {}),
    });
  }

  /** A request approved at once as the org's first key (R4). */
  async firstKey(agent: Agent): Promise<Requested> {
    const request = await this.request(agent);
    await this.approve(agent, request, 'FIRST_KEY');
    return request;
  }

  /** Adds each agent with their role and a key `approver` approved; the keys by agent id. */
  async addWithKeys(approver: Agent, agents: ReadonlyArray<readonly [Agent, Role]>): Promise<Map<string, Requested>> {
    const keys = new Map<string, Requested>();
    for (const [agent, role] of agents) {
      await this.add(agent, role);
      const key = await this.request(agent);
      await this.approve(agent, key, 'APPROVAL', approver);
      keys.set(agent.agentId, key);
    }
    return keys;
  }

  /** The org the email tests start from: Sam (SUPER_ADMIN, first key), Ada (ADMIN, key approved by Sam), Max (MEMBER) with a PENDING request. */
  async pendingMemberRequest(name: string): Promise<{ sam: Agent; ada: Agent; max: Agent; request: Requested }> {
    const [sam, ada, max] = ['Sam', 'Ada', 'Max'].map((agentName) => this.agent(agentName));
    await this.create(name, sam);
    await this.firstKey(sam);
    await this.add(ada, 'ADMIN');
    await this.approve(ada, await this.request(ada), 'APPROVAL', sam);
    await this.add(max, 'MEMBER');
    return { sam, ada, max, request: await this.request(max) };
  }

  reject(agent: Agent, request: Requested, rejecter: Agent, reason?: string): Promise<string> {
    return this.key(agent, 'KeyRejected', {
      requestId: request.requestId,
      agentId: agent.agentId,
      rejectedBy: rejecter.agentId,
      ...(reason ? { reason } : {}),
      decision: proof,
    });
  }

  lock(agent: Agent, request: Requested): Promise<string> {
    return this.key(agent, 'KeyRequestLocked', { requestId: request.requestId, agentId: agent.agentId, failedAttempts: 5 });
  }

  /** An admin's revocation by default; a removal or change to AUDITOR appends it right after its directory event, as the write side commits them. */
  revoke(agent: Agent, request: Requested, by: Agent, reasonCode: KeyRevoked['data']['reasonCode'] = 'REVOKED_BY_ADMIN', reason = 'laptop lost'): Promise<string> {
    return this.key(agent, 'KeyRevoked', {
      agentId: agent.agentId,
      requestId: request.requestId,
      fingerprint: request.fingerprint,
      reasonCode,
      reason,
      revokedBy: by.agentId,
    });
  }

  /** An event of a type a newer release added, in the agent's stream (a rolling upgrade). */
  ofNewType(agent: Agent, type: string): Promise<string> {
    return this.key(agent, type, { agentId: agent.agentId });
  }

  private org(type: string, data: Record<string, unknown>, actor?: string): Promise<string> {
    return this.append(orgStream(this.orgId), type, data, actor);
  }

  private key(agent: Agent, type: string, data: Record<string, unknown>, schemaVersion = 1): Promise<string> {
    return this.append(agentStream(this.orgId, agent.agentId), type, data, 'test', schemaVersion);
  }

  private async append(stream: string, type: string, data: Record<string, unknown>, actor = 'test', schemaVersion = 1): Promise<string> {
    const event: NewEvent = {
      id: newId(),
      type,
      schemaVersion,
      data,
      metadata: {
        actor,
        orgId: this.orgId,
        occurredAt: this.now().toISOString(),
        correlationId: randomUUID(),
        causationId: randomUUID(),
      },
    };
    await this.store.append([{ stream, expected: 'any', events: [event] }]);
    return event.id;
  }
}
