import { Injectable } from '@nestjs/common';
import { memberRole, organizationDecider } from '../domain/organization/organization.decider';
import type { OrganizationState } from '../domain/organization/organization.state';
import type { ActorContext } from '../domain/shared/actor';
import { refuse } from '../domain/shared/refusal';
import { keyDecider } from '../domain/signature-key/key.decider';
import { countedApprovals } from '../domain/signature-key/approval-threshold';
import { activeKeyOf, type KeyRequestEntry, type KeyState } from '../domain/signature-key/key.state';
import { agentStream, orgStream } from '../domain/streams';
import { quoted } from '../shared/quoted';
import { approversWithActiveKey } from './approvers';
import { type LoadedStream, StreamStates } from './stream-states';

/**
 * Reads what a decision needs from the org directory and agents' key streams, at decision time
 * (R1: roles live in the directory, not in tokens). Another org's or an unknown org answers 404.
 */
@Injectable()
export class Directory {
  constructor(private readonly states: StreamStates) {}

  /** `freshSince` of each method: see `StreamStates.load`. */
  async org(orgId: string, freshSince?: number): Promise<LoadedStream<OrganizationState>> {
    const org = await this.states.load(orgStream(orgId), organizationDecider, freshSince);
    if (!org.state.exists) refuse('NOT_FOUND', 'ORG_NOT_FOUND', `Organization ${quoted(orgId)} does not exist.`);
    return org;
  }

  keys(orgId: string, agentId: string, freshSince?: number): Promise<LoadedStream<KeyState>> {
    return this.states.load(agentStream(orgId, agentId), keyDecider, freshSince);
  }

  /** The caller as a member of the org, with their role and ACTIVE key. */
  async actor(orgId: string, agentId: string, freshSince?: number): Promise<{ org: LoadedStream<OrganizationState>; actor: ActorContext; keys: LoadedStream<KeyState> }> {
    const org = await this.org(orgId, freshSince);
    const role = memberRole(org.state, agentId);
    const keys = await this.keys(orgId, agentId, freshSince);
    return { org, keys, actor: { agentId, role, activeKey: activeKeyOf(keys.state) } };
  }

  /**
   * R8, R20: how many ADMINs and SUPER_ADMINs other than `agentId` hold an ACTIVE key, counted up
   * to `upTo` (at least one, which R8 needs), with the key streams read to know it: the decision
   * relies on them, so it guards them (R17). With the default threshold of 1, one holder is enough.
   */
  async activeApprovers(orgId: string, org: OrganizationState, agentId: string, upTo: number, freshSince?: number): Promise<{ count: number; read: LoadedStream<KeyState>[] }> {
    const read: LoadedStream<KeyState>[] = [];
    const others = approversWithActiveKey(org, agentId, async (otherId) => {
      const keys = await this.keys(orgId, otherId, freshSince);
      read.push(keys);
      return keys.state;
    });
    let count = 0;
    while (count < Math.max(1, upTo) && !(await others.next()).done) count++;
    return { count, read };
  }

  /**
   * R20 M-of-N: up to `upTo` of the org's ADMINs and SUPER_ADMINs who hold an ACTIVE key, for reads
   * that show each pending request's threshold (capped by these holders other than its requester).
   */
  async approversHoldingKeys(orgId: string, org: OrganizationState, upTo: number): Promise<Set<string>> {
    const holders = new Set<string>();
    for await (const agentId of approversWithActiveKey(org, '', async (otherId) => (await this.keys(orgId, otherId)).state)) {
      if (holders.size >= upTo) break;
      holders.add(agentId);
    }
    return holders;
  }

  /**
   * R20 M-of-N: the approvals of a PENDING request that count now (as the next approval counts
   * them), for reads: an approver demoted or removed since, or whose key was revoked or replaced
   * since, no longer vouches for the key.
   */
  async countingApprovals(orgId: string, org: OrganizationState, request: Pick<KeyRequestEntry, 'approvals' | 'approvedWith'>): Promise<string[]> {
    if (request.approvals.length === 0) return [];
    return countedApprovals(request, (await this.approverKeys(orgId, org, request.approvals)).keys);
  }

  /**
   * R20 M-of-N: the ACTIVE key fingerprint of each of `agentIds` (a request's earlier approvers)
   * who is an ADMIN or SUPER_ADMIN now, with the key streams read to know it: their approvals count
   * only while they hold the key that signed them, so the decision guards those streams (R17).
   */
  async approverKeys(orgId: string, org: OrganizationState, agentIds: readonly string[], freshSince?: number): Promise<{ keys: Map<string, string>; read: LoadedStream<KeyState>[] }> {
    const keys = new Map<string, string>();
    const read: LoadedStream<KeyState>[] = [];
    for (const agentId of agentIds) {
      if (!org.approvers.has(agentId)) continue;
      const loaded = await this.keys(orgId, agentId, freshSince);
      read.push(loaded);
      const active = activeKeyOf(loaded.state);
      if (active) keys.set(agentId, active.fingerprint);
    }
    return { keys, read };
  }
}
