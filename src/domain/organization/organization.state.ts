import { PersistentMap } from '../shared/persistent-map';
import { isApproverRole, type Role } from '../shared/roles';
import { NO_USED_NONCES, type UsedNonces } from '../shared/used-nonces';
import { DEFAULT_ORG_POLICY, type OrgPolicy } from './org-policy';

export interface AgentEntry {
  email: string;
  displayName: string;
  role: Role;
}

export interface OrganizationState {
  exists: boolean;
  orgId?: string;
  name?: string;
  /** The product default until the org is created with its own. */
  policy: OrgPolicy;
  /** 1 at creation, one more each OrgPolicyChanged: the ETag a change names in If-Match. */
  policyVersion: number;
  /** Every agent by id: role lookups are O(1) in an org of 10,000 agents, and so is finding an id in another case. */
  agents: PersistentMap<AgentEntry>;
  /** ADMINs and SUPER_ADMINs: few, so handlers can visit them all (R8 ROTATION, R12 emails). */
  approvers: ReadonlySet<string>;
  superAdminCount: number;
  firstKey?: { agentId: string; requestId: string };
  /** Nonces of the ORG_POLICY challenges used here (R15). */
  usedNonces: UsedNonces;
}

/** Every field present, the optional ones undefined, for the reason given at `initialKeyState`. */
export const initialOrganizationState: OrganizationState = {
  exists: false,
  orgId: undefined,
  name: undefined,
  policy: DEFAULT_ORG_POLICY,
  policyVersion: 0,
  agents: PersistentMap.empty(),
  approvers: new Set(),
  superAdminCount: 0,
  firstKey: undefined,
  usedNonces: NO_USED_NONCES,
};

/** The role of an agent, or undefined when they are not in the directory. */
export const roleOf = (state: OrganizationState, agentId: string): Role | undefined => state.agents.get(agentId)?.role;

/** The id of an agent of the org that differs from `agentId` in the case of its letters alone, if any: to an auditor, the same id. */
export const sameIdInOtherCase = (state: OrganizationState, agentId: string): string | undefined =>
  state.agents.keysInAnyCase(agentId).find((id) => id !== agentId);

/** The state after `agentId` joined, changed role (entry) or left the org (undefined). */
export function withAgent(state: OrganizationState, agentId: string, entry: AgentEntry | undefined): OrganizationState {
  const before = roleOf(state, agentId);
  const after = entry?.role;
  const wasApprover = before !== undefined && isApproverRole(before);
  const isApprover = after !== undefined && isApproverRole(after);
  let approvers = state.approvers;
  if (wasApprover !== isApprover) {
    const next = new Set(approvers);
    if (isApprover) next.add(agentId);
    else next.delete(agentId);
    approvers = next;
  }
  return {
    ...state,
    agents: entry ? state.agents.set(agentId, entry) : state.agents.delete(agentId),
    approvers,
    superAdminCount: state.superAdminCount - Number(before === 'SUPER_ADMIN') + Number(after === 'SUPER_ADMIN'),
  };
}
