import type { DomainEvent } from '../shared/domain-event';
import type { Role } from '../shared/roles';

export interface OrgPolicy {
  /** R4: the first key of the org must come from an ADMIN or SUPER_ADMIN. */
  firstKeyRequiresAdmin: boolean;
}

export type OrganizationCreated = DomainEvent<
  'OrganizationCreated',
  { orgId: string; name: string; policy: OrgPolicy; superAdminId: string }
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

export type OrganizationEvent =
  | OrganizationCreated
  | AgentAdded
  | AgentRoleChanged
  | AgentRemoved
  | FirstKeyAssigned;
