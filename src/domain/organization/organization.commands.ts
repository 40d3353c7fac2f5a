import type { ActiveKey } from '../shared/actor';
import type { Role } from '../shared/roles';
import type { SignedProof } from '../shared/signed-proof';
import type { OrgPolicy } from './org-policy';

export interface NewAgent {
  agentId: string;
  email: string;
  displayName: string;
}

export type CreateOrganization = {
  type: 'CreateOrganization';
  orgId: string;
  name: string;
  policy: OrgPolicy;
  superAdmin: NewAgent;
};
/** `actorId` is the caller; their role is read from the state at decision time (R1). */
export type AddAgent = { type: 'AddAgent'; actorId: string; agent: NewAgent; role: Role };
/**
 * `agentKey`: the agent's ACTIVE key now, if any, read by the handler from their key stream at
 * decision time (which guards that stream's revision), with how many approvals activated it
 * (activeKeyApprovals): R20, a key keeps the threshold it was approved under. Without `approvals`
 * (a first key or a recovery's grant; and audit verify, reading logs of every release) the
 * promotion is judged as releases before 2026-12-08 judged it: by the policy's thresholds for the
 * two roles.
 */
export type ChangeAgentRole = { type: 'ChangeAgentRole'; actorId: string; agentId: string; role: Role; agentKey: { approvals?: number } | undefined };
export type RemoveAgent = { type: 'RemoveAgent'; actorId: string; agentId: string };
export type AssignFirstKey = { type: 'AssignFirstKey'; agentId: string; requestId: string };

/**
 * R20: set the org's whole policy. `actorKey` is the caller's ACTIVE key, read from their key
 * stream by the handler at decision time (which guards that stream's revision).
 */
export type ChangeOrgPolicy = {
  type: 'ChangeOrgPolicy';
  actorId: string;
  actorKey?: ActiveKey;
  policy: OrgPolicy;
  proof: SignedProof;
  now: string;
  /** The policy version the caller read and changed (If-Match): refused if another change came first. */
  basedOnVersion?: number;
};

export type OrganizationCommand = CreateOrganization | AddAgent | ChangeAgentRole | RemoveAgent | AssignFirstKey | ChangeOrgPolicy;
