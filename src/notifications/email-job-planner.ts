import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import type { KeyApproved, KeyRejected, KeyRequested, KeyRequestLocked } from '../domain/signature-key/key.events';
import { isApproverRole } from '../domain/shared/roles';
import { agentStream, orgStream } from '../domain/streams';
import { emailJobId, type Decider, type EmailJob, type EmailJobBase, type Person } from './email-job';
import { foldAgentKeys, foldOrgDirectory, type OrgDirectory } from './org-directory';

/** The events R12 mails about. */
const NOTIFIED = new Set(['KeyRequested', 'KeyApproved', 'KeyRejected', 'KeyRequestLocked']);

type About = Omit<EmailJobBase, 'id' | 'to'>;

/**
 * Turns an event into the emails R12 asks for. Recipients, names and fingerprints are read
 * from the org and agent streams as they stood at the event's position, so replaying an event
 * always yields the same jobs (same ids), whatever happened in the log since.
 */
export class EmailJobPlanner {
  constructor(private readonly events: Pick<EventStore, 'readStream'>) {}

  async jobsFor(event: RecordedEvent): Promise<EmailJob[]> {
    if (!NOTIFIED.has(event.type)) return [];
    const context = await this.context(event);
    if (!context) return [];
    const { about, directory } = context;
    const requester = about.request.requester;
    const to = (person: Person): Pick<EmailJobBase, 'id' | 'to'> => ({ id: emailJobId(event.id, person.agentId), to: person });
    switch (event.type) {
      case 'KeyRequested': {
        const approvers = await this.approversWithActiveKey(directory, about.org.orgId, requester.agentId, event.position);
        return approvers.map((approver) => ({ ...about, ...to(approver), kind: 'KEY_REQUEST_WAITING' }));
      }
      case 'KeyApproved': {
        const { mode, approvedBy } = (event as unknown as KeyApproved).data;
        const approver = approvedBy === undefined ? {} : { approvedBy: this.decider(directory, approvedBy) };
        return [{ ...about, ...to(requester), kind: 'KEY_APPROVED', mode, ...approver }];
      }
      case 'KeyRejected': {
        const { rejectedBy, reason } = (event as unknown as KeyRejected).data;
        const rejecter = this.decider(directory, rejectedBy);
        return [{ ...about, ...to(requester), kind: 'KEY_REJECTED', rejectedBy: rejecter, ...(reason ? { reason } : {}) }];
      }
      default: {
        const { failedAttempts } = (event as unknown as KeyRequestLocked).data;
        return [{ ...about, ...to(requester), kind: 'KEY_REQUEST_LOCKED', failedAttempts }];
      }
    }
  }

  /** R6: ADMIN or SUPER_ADMIN with an ACTIVE key, never the requester. */
  private async approversWithActiveKey(
    directory: OrgDirectory,
    orgId: string,
    requesterId: string,
    position: bigint,
  ): Promise<Person[]> {
    const approvers: Person[] = [];
    for (const agent of directory.agents.values()) {
      if (!isApproverRole(agent.role) || agent.agentId === requesterId) continue;
      const keys = foldAgentKeys(await this.readAt(agentStream(orgId, agent.agentId), position));
      if (keys.activeFingerprint !== undefined) {
        approvers.push({ agentId: agent.agentId, displayName: agent.displayName, email: agent.email });
      }
    }
    return approvers;
  }

  /** The org, requester and request of a key event; undefined when the requester is not an agent of the org. */
  private async context(event: RecordedEvent): Promise<{ about: About; directory: OrgDirectory } | undefined> {
    const { requestId, agentId } = (event as unknown as KeyRequested).data;
    const orgId = event.metadata.orgId;
    const directory = foldOrgDirectory(await this.readAt(orgStream(orgId), event.position));
    const agent = directory.agents.get(agentId);
    const request = foldAgentKeys(await this.readAt(agentStream(orgId, agentId), event.position)).requests.get(requestId);
    if (!agent || !request) return undefined;
    const requester: Person = { agentId, displayName: agent.displayName, email: agent.email };
    return {
      about: {
        eventId: event.id,
        occurredAt: event.metadata.occurredAt,
        org: { orgId, name: directory.name },
        request: { ...request, requester },
      },
      directory,
    };
  }

  /** A decider is an agent of the org when deciding; their id stands in should the directory not know them. */
  private decider(directory: OrgDirectory, agentId: string): Decider {
    return { agentId, displayName: directory.agents.get(agentId)?.displayName ?? agentId };
  }

  private async readAt(stream: string, position: bigint): Promise<RecordedEvent[]> {
    return (await this.events.readStream(stream)).filter((event) => event.position <= position);
  }
}
