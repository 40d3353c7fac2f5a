import type { RecordedEvent } from '../event-store/event-store.port';
import type { OrganizationEvent } from '../domain/organization/organization.events';
import type { KeyEvent } from '../domain/signature-key/key.events';
import type { Role } from '../domain/shared/roles';
import type { Person, RequestSummary } from './email-job';

/** An org's name and members as its stream said at one position. */
export interface OrgDirectory {
  name: string;
  agents: Map<string, Person & { role: Role }>;
}

/** An agent's key requests and ACTIVE key as their stream said at one position. */
export interface AgentKeys {
  activeFingerprint?: string;
  requests: Map<string, Omit<RequestSummary, 'requester'>>;
}

/** Narrows a recorded event to a domain event type by its `type`. */
const typed = <E extends { type: string; data: unknown }>(event: RecordedEvent): E => event as unknown as E;

/** Folds the org stream (OrganizationCreated, AgentAdded, AgentRoleChanged, AgentRemoved). */
export function foldOrgDirectory(events: readonly RecordedEvent[]): OrgDirectory {
  const directory: OrgDirectory = { name: '', agents: new Map() };
  for (const recorded of events) {
    const event = typed<OrganizationEvent>(recorded);
    switch (event.type) {
      case 'OrganizationCreated':
        directory.name = event.data.name;
        break;
      case 'AgentAdded':
        directory.agents.set(event.data.agentId, {
          agentId: event.data.agentId,
          email: event.data.email,
          displayName: event.data.displayName,
          role: event.data.role,
        });
        break;
      case 'AgentRoleChanged': {
        const agent = directory.agents.get(event.data.agentId);
        if (agent) agent.role = event.data.to;
        break;
      }
      case 'AgentRemoved':
        directory.agents.delete(event.data.agentId);
        break;
    }
  }
  return directory;
}

/** Folds an agent stream into their requests (by id) and their ACTIVE key. */
export function foldAgentKeys(events: readonly RecordedEvent[]): AgentKeys {
  const keys: AgentKeys = { requests: new Map() };
  for (const recorded of events) {
    const event = typed<KeyEvent>(recorded);
    switch (event.type) {
      case 'KeyRequested':
        keys.requests.set(event.data.requestId, {
          requestId: event.data.requestId,
          fingerprint: event.data.fingerprint,
          ...(event.data.replacesFingerprint ? { replacesFingerprint: event.data.replacesFingerprint } : {}),
        });
        break;
      case 'KeyApproved':
        keys.activeFingerprint = event.data.fingerprint;
        break;
      case 'KeyRevoked':
        if (keys.activeFingerprint === event.data.fingerprint) delete keys.activeFingerprint;
        break;
    }
  }
  return keys;
}
