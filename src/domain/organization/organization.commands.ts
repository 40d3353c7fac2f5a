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
 * `agentHoldsKey`: whether the agent holds an ACTIVE key now, read by the handler from their key
 * stream at decision time (which guards that stream's revision): R20, a key keeps the threshold it was approved under.
 */
export type ChangeAgentRole = { type: 'ChangeAgentRole'; actorId: string; agentId: string; role: Role; agentHoldsKey: boolean };
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
