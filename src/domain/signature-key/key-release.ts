import type { OrganizationEvent } from '../organization/organization.events';
import type { KeyReleaseReason } from './key.events';

/**
 * R9, R18: the directory changes after which an agent keeps no key and no pending request. The
 * handler releases them in the same commit as the change, so no position shows an AUDITOR or a
 * removed agent holding a key.
 */
export function keyReleaseFor(event: OrganizationEvent): { agentId: string; reason: KeyReleaseReason } | undefined {
  switch (event.type) {
    case 'AgentRemoved':
      return { agentId: event.data.agentId, reason: 'AGENT_REMOVED' };
    case 'AgentRoleChanged':
      return event.data.to === 'AUDITOR' ? { agentId: event.data.agentId, reason: 'ROLE_CHANGED_TO_AUDITOR' } : undefined;
    case 'OrganizationCreated':
    case 'AgentAdded':
    case 'FirstKeyAssigned':
      return undefined;
  }
}
