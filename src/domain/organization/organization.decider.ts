import { ORGANIZATION_EVENTS } from '../events/event-catalogue';
import { isReservedAgentId, RESERVED_AGENT_IDS } from '../shared/actor';
import { checkChallenge, recordProof, requireSignature } from '../shared/check-proof';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/refusal';
import { isApproverRole, type Role } from '../shared/roles';
import { withUsedNonce } from '../shared/used-nonces';
import { quoted } from '../../shared/quoted';
import { approvalsRequired, effectivePolicy } from './org-policy';
import { requireValidPolicy } from './org-policy.schema';
import type { ChangeOrgPolicy, OrganizationCommand } from './organization.commands';
import type { OrganizationEvent } from './organization.events';
import { initialOrganizationState, roleOf, sameIdInOtherCase, withAgent, type OrganizationState } from './organization.state';

function requireOrg(state: OrganizationState): void {
  if (!state.exists) refuse('NOT_FOUND', 'ORG_NOT_FOUND', 'This organization does not exist.');
}

/**
 * R1: the caller's role as the directory knows it now. A caller not in it (removed, whose token
 * has not expired, or never added) is refused as no member, before any role is asked of them.
 */
export function memberRole(state: OrganizationState, actorId: string): Role {
  return roleOf(state, actorId) ?? refuse('FORBIDDEN', 'NOT_A_MEMBER', `Agent ${quoted(actorId)} is not a member of this organization.`);
}

/** R1: only a SUPER_ADMIN of the org, as the directory knows them now, manages agents and roles. */
function requireSuperAdmin(state: OrganizationState, actorId: string): void {
  requireOrg(state);
  if (memberRole(state, actorId) !== 'SUPER_ADMIN') {
    refuse('FORBIDDEN', 'NOT_SUPER_ADMIN', 'Only a SUPER_ADMIN of this organization manages agents and roles.');
  }
}

function requireAgent(state: OrganizationState, agentId: string): Role {
  return roleOf(state, agentId) ?? refuse('NOT_FOUND', 'AGENT_NOT_FOUND', `Agent ${quoted(agentId)} is not in this organization.`);
}

/** Actors stay unambiguous: `operator` in the log is always the platform operator, never an agent. */
function refuseReservedId(agentId: string): void {
  if (isReservedAgentId(agentId)) {
    refuse('UNPROCESSABLE', 'AGENT_ID_RESERVED', `Agent id ${quoted(agentId)} is reserved (${RESERVED_AGENT_IDS.join(', ')}, in any case): choose another.`);
  }
}

/** R1: an org always keeps a SUPER_ADMIN, or nobody could manage it any more. */
function keepASuperAdmin(state: OrganizationState, role: Role, change: string): void {
  if (role === 'SUPER_ADMIN' && state.superAdminCount === 1) {
    refuse(
      'CONFLICT',
      'LAST_SUPER_ADMIN',
      `The last SUPER_ADMIN of an organization cannot be ${change}: make another agent SUPER_ADMIN first.`,
    );
  }
}

/**
 * R20 M-of-N: a key approved by fewer approvers than the policy asks for a role's key does not
 * become that role's key. Promoted with it, a MEMBER whose key one approver let through would
 * approve keys as an ADMIN, where the policy asks for more (a SUPER_ADMIN could so make a second
 * approver of their own with a single approval). Judged on the approvals the key had: judged on
 * the two roles' thresholds now, raising the members' threshold to the admins' (a tightening,
 * mailed to nobody) let such a key through quietly, and an ADMIN's key approved by enough
 * approvers could not be given back its role after a demotion. Revoked first, the new key is
 * approved as the new role's. Only approver power is guarded: a demotion takes power away, and a
 * promotion between approver roles (one threshold) gives none.
 */
function keepKeyToItsThreshold(state: OrganizationState, from: Role, to: Role, agentKey: { approvals?: number } | undefined): void {
  if (agentKey === undefined || !isApproverRole(to) || isApproverRole(from)) return;
  const asked = approvalsRequired(state.policy, to);
  const approvals = agentKey.approvals;
  if (approvals === undefined ? asked > approvalsRequired(state.policy, from) : asked > approvals) {
    refuse(
      'CONFLICT',
      'KEY_BELOW_ADMIN_THRESHOLD',
      approvals === undefined
        ? `The agent's ACTIVE key was approved as a ${from}'s, and this organization asks ${asked} approvals for the key of a ${to}: revoke that key first, then change the role; the agent then requests a key, approved as a ${to}'s.`
        : `The agent's ACTIVE key was activated by ${approvals} approval(s), and this organization asks ${asked} for the key of a ${to}: revoke that key first, then change the role; the agent then requests a key, approved as a ${to}'s.`,
      { required: asked },
    );
  }
}

/**
 * R20: a policy change is a decision of a SUPER_ADMIN, signed with their ACTIVE key over the
 * ORG_POLICY challenge binding every field of the new policy. Setting the policy the org already
 * has writes nothing, so a retried change is harmless (its challenge stays unused), also when it
 * names an older version it changed (If-Match): it is in effect, as RFC 9110 13.1.1 allows.
 */
function changePolicy(command: ChangeOrgPolicy, state: OrganizationState): OrganizationEvent[] {
  const { actorId, policy, proof } = command;
  requireOrg(state);
  if (memberRole(state, actorId) !== 'SUPER_ADMIN') {
    refuse('FORBIDDEN', 'NOT_SUPER_ADMIN', 'Only a SUPER_ADMIN of this organization changes its policy.');
  }
  const signingKey =
    command.actorKey ??
    refuse('FORBIDDEN', 'NO_ACTIVE_KEY', 'A policy change is signed with your ACTIVE key, and you have none: get your key approved first.');
  requireValidPolicy(policy);
  checkChallenge(proof, { purpose: 'ORG_POLICY', orgId: state.orgId as string, agentId: actorId, ...policy }, command.now, state.usedNonces);
  requireSignature(proof, signingKey.publicKey, 'your ACTIVE key');
  const unchanged = (Object.keys(policy) as (keyof typeof policy)[]).every((field) => policy[field] === state.policy[field]);
  if (unchanged) return [];
  // Whole policies, so a change based on an older one would silently undo the fields changed since.
  if (command.basedOnVersion !== undefined && command.basedOnVersion !== state.policyVersion) {
    // A version not reached yet was read nowhere: the policy did not change since it.
    const basis =
      command.basedOnVersion > state.policyVersion
        ? `The policy has had no version ${command.basedOnVersion}: it is version ${state.policyVersion}.`
        : `The policy changed since version ${command.basedOnVersion} you based this change on: it is version ${state.policyVersion} now.`;
    refuse('PRECONDITION_FAILED', 'POLICY_CHANGED', `${basis} Read it again, and sign the change anew.`, {
      policyVersion: state.policyVersion,
    });
  }
  return [{ type: 'OrgPolicyChanged', data: { policy, previous: state.policy, changedBy: actorId, decision: recordProof(proof, signingKey.publicKey) } }];
}

/**
 * The org directory (R1), its first key (R4) and its lifecycle policy (R20). A role change to the role the agent already has
 * is accepted and writes nothing, so a retried PATCH is harmless.
 */
export const organizationDecider: Decider<OrganizationCommand, OrganizationState, OrganizationEvent> = {
  initialState: initialOrganizationState,
  events: ORGANIZATION_EVENTS,

  decide(command, state) {
    switch (command.type) {
      case 'CreateOrganization': {
        if (state.exists) refuse('CONFLICT', 'ORG_EXISTS', `Organization ${quoted(command.orgId)} already exists.`);
        const { orgId, name, policy, superAdmin } = command;
        refuseReservedId(superAdmin.agentId);
        requireValidPolicy(policy);
        return {
          events: [
            { type: 'OrganizationCreated', data: { orgId, name, policy, superAdminId: superAdmin.agentId } },
            { type: 'AgentAdded', data: { ...superAdmin, role: 'SUPER_ADMIN' } },
          ],
        };
      }
      case 'AddAgent': {
        requireSuperAdmin(state, command.actorId);
        refuseReservedId(command.agent.agentId);
        if (state.agents.has(command.agent.agentId)) {
          refuse('CONFLICT', 'AGENT_EXISTS', `Agent ${quoted(command.agent.agentId)} is already in this organization.`);
        }
        const other = sameIdInOtherCase(state, command.agent.agentId);
        if (other !== undefined) {
          refuse(
            'CONFLICT',
            'AGENT_ID_TAKEN_IN_OTHER_CASE',
            `Agent ${quoted(other)} is already in this organization, and ${quoted(command.agent.agentId)} differs from it only in case: agent ids are unique in any case, so that the audit log never shows two agents an auditor would read as one. Choose another id.`,
            { agentId: other },
          );
        }
        return { events: [{ type: 'AgentAdded', data: { ...command.agent, role: command.role } }] };
      }
      case 'ChangeAgentRole': {
        requireSuperAdmin(state, command.actorId);
        const from = requireAgent(state, command.agentId);
        if (from === command.role) return { events: [] };
        keepASuperAdmin(state, from, 'demoted');
        keepKeyToItsThreshold(state, from, command.role, command.agentKey);
        return { events: [{ type: 'AgentRoleChanged', data: { agentId: command.agentId, from, to: command.role } }] };
      }
      case 'RemoveAgent': {
        requireSuperAdmin(state, command.actorId);
        const role = requireAgent(state, command.agentId);
        keepASuperAdmin(state, role, 'removed');
        return { events: [{ type: 'AgentRemoved', data: { agentId: command.agentId, role } }] };
      }
      case 'AssignFirstKey': {
        requireOrg(state);
        requireAgent(state, command.agentId);
        if (state.firstKey) {
          refuse('CONFLICT', 'FIRST_KEY_ALREADY_ASSIGNED', 'The first key of this organization was already granted.', {
            ...state.firstKey,
          });
        }
        return { events: [{ type: 'FirstKeyAssigned', data: { agentId: command.agentId, requestId: command.requestId } }] };
      }
      case 'ChangeOrgPolicy':
        return { events: changePolicy(command, state) };
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'OrganizationCreated': {
        const { orgId, name, policy } = event.data;
        return { ...state, exists: true, orgId, name, policy: effectivePolicy(policy), policyVersion: 1 };
      }
      case 'AgentAdded': {
        const { agentId, email, displayName, role } = event.data;
        return withAgent(state, agentId, { email, displayName, role });
      }
      case 'AgentRoleChanged': {
        const entry = state.agents.get(event.data.agentId);
        return entry ? withAgent(state, event.data.agentId, { ...entry, role: event.data.to }) : state;
      }
      case 'AgentRemoved':
        return withAgent(state, event.data.agentId, undefined);
      case 'FirstKeyAssigned':
        return { ...state, firstKey: { ...event.data } };
      case 'OrgPolicyChanged':
        return { ...state, policy: event.data.policy, policyVersion: state.policyVersion + 1, usedNonces: withUsedNonce(state.usedNonces, event.data.decision.statement) };
    }
  },
};
