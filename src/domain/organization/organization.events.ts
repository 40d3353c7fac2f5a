import type { DomainEvent } from '../shared/domain-event';
import type { Role } from '../shared/roles';
import type { RecordedProof } from '../shared/signed-proof';
import type { OrgPolicy } from './org-policy';

export type { OrgPolicy } from './org-policy';

/**
 * `policy` is complete when written today; orgs created before R20 recorded only
 * firstKeyRequiresAdmin, and their other fields take the product default (see effectivePolicy).
 */
export type OrganizationCreated = DomainEvent<
  'OrganizationCreated',
  { orgId: string; name: string; policy: Partial<OrgPolicy>; superAdminId: string }
>;
export type AgentAdded = DomainEvent<
  'AgentAdded',
  { agentId: string; email: string; displayName: string; role: Role }
>;
export type AgentRoleChanged = DomainEvent<'AgentRoleChanged', { agentId: string; from: Role; to: Role }>;
export type AgentRemoved = DomainEvent<'AgentRemoved', { agentId: string; role: Role }>;
/**
 * The org's first key was granted (R4). Lives in the org stream so that the org stream's
 * expected revision arbitrates concurrent first-key requests: exactly one wins.
 */
export type FirstKeyAssigned = DomainEvent<'FirstKeyAssigned', { agentId: string; requestId: string }>;

/**
 * R20: a SUPER_ADMIN changed the org's policy, signing the ORG_POLICY challenge that binds every
 * field of the new policy with their ACTIVE key. `previous` is what it replaced, for the audit.
 */
export type OrgPolicyChanged = DomainEvent<
  'OrgPolicyChanged',
  { policy: OrgPolicy; previous: OrgPolicy; changedBy: string; decision: RecordedProof }
>;

export type OrganizationEvent =
  | OrganizationCreated
  | AgentAdded
  | AgentRoleChanged
  | AgentRemoved
  | FirstKeyAssigned
  | OrgPolicyChanged;
