import type { Role } from '../shared/roles';
import type { OrgPolicy } from './organization.events';

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
export type ChangeAgentRole = { type: 'ChangeAgentRole'; actorId: string; agentId: string; role: Role };
export type RemoveAgent = { type: 'RemoveAgent'; actorId: string; agentId: string };
export type AssignFirstKey = { type: 'AssignFirstKey'; agentId: string; requestId: string };

export type OrganizationCommand = CreateOrganization | AddAgent | ChangeAgentRole | RemoveAgent | AssignFirstKey;
