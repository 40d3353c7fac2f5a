import { approversWithActiveKey } from '../application/approvers';
import { type StateCacheLimits, StreamStates } from '../application/stream-states';
import { decode } from '../domain/events/decode';
import { unhandledEvent, type LogEvent } from '../domain/events/event-catalogue';
import { organizationDecider } from '../domain/organization/organization.decider';
import { policyChanges } from '../domain/organization/org-policy';
import type { AgentRoleChanged, OrgPolicyChanged } from '../domain/organization/organization.events';
import { roleOf, type OrganizationState } from '../domain/organization/organization.state';
import { isApproverRole } from '../domain/shared/roles';
import { keyDecider } from '../domain/signature-key/key.decider';
import { signedApproval, type KeyEvent, type KeyRevoked } from '../domain/signature-key/key.events';
import { activeKeyOf, type KeyRequestEntry, type KeyState } from '../domain/signature-key/key.state';
import { countedApprovals } from '../domain/signature-key/approval-threshold';
import { recoveryClaimBy, recoveryDecider } from '../domain/recovery/recovery.decider';
import type { RecoveryEvent } from '../domain/recovery/recovery.events';
import { agentStream, orgStream, recoveryStream } from '../domain/streams';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import {
  emailJobId,
  type Decider,
  type DemotionJobBase,
  type EmailJob,
  type EmailJobBase,
  type KeyRequestJobBase,
  type Person,
  type PolicyJobBase,
  type RecoveryJobBase,
  type RecoveryNews,
  type RevocationJobBase,
} from './email-job';

/** The events R12 mails about. */
type NotifiedEvent = RecordedEvent<
  Extract<KeyEvent, { type: 'KeyRequested' | 'KeyApproved' | 'KeyRejected' | 'KeyRequestLocked' | 'KeyRequestReminderSent' | 'KeyRequestExpired' }>
>;

type About = Omit<KeyRequestJobBase, 'id' | 'to'>;

/**
 * Turns an event into the emails R12 asks for. Recipients, names and fingerprints are read
 * from the org and agent streams as they stood at the event's position (folded with the
 * deciders' own evolve), so replaying an event always yields the same jobs (same ids), whatever
 * happened in the log since.
 */
export class EmailJobPlanner {
  private readonly states: StreamStates;

  constructor(
    private readonly events: Pick<EventStore, 'readStream'>,
    limits?: StateCacheLimits,
  ) {
    this.states = new StreamStates(events, limits);
  }

  jobsFor(recorded: RecordedEvent): Promise<EmailJob[]> {
    const event: RecordedEvent<LogEvent> = decode(recorded);
    switch (event.type) {
      case 'KeyRequested':
      case 'KeyApproved':
      case 'KeyRejected':
      case 'KeyRequestLocked':
      case 'KeyRequestReminderSent':
      case 'KeyRequestExpired':
        return this.jobsOf(event);
      case 'RecoveryStarted':
      case 'RecoveryReminderSent':
      case 'RecoveryVetoed':
      case 'RecoveryCompleted':
      case 'RecoveryLapsed':
        return this.recoveryJobs(event);
      case 'KeyRevoked':
        return this.revocationJobs(event);
      case 'AgentRoleChanged':
        return this.demotionJobs(event);
      case 'OrgPolicyChanged':
        return this.policyJobs(event);
      case 'OrganizationCreated':
      case 'AgentAdded':
      // A removal releases the agent's key: told by its KeyRevoked.
      case 'AgentRemoved':
      case 'FirstKeyAssigned':
      case 'PublicKeyClaimed':
      // A partial approval asks nothing new of anyone: the approvers were told of the request, and the pending list shows who approved.
      case 'KeyApprovalRecorded':
      case 'KeyApprovalAttemptFailed':
      case 'KeyRequestCancelled':
      case 'PromptFrequencyChanged':
      case 'SensitiveTaskAuthorized':
      case 'SensitiveTaskRefused':
      case 'CheckpointSigned':
        return Promise.resolve([]);
      default:
        return unhandledEvent(event);
    }
  }

  private async jobsOf(event: NotifiedEvent): Promise<EmailJob[]> {
    const context = await this.context(event);
    if (!context) return [];
    const { about, org, request } = context;
    const requester = about.request.requester;
    switch (event.type) {
      case 'KeyRequested': {
        const approvers = await this.approversWithActiveKey(org, about.org.orgId, requester.agentId, event.position);
        return approvers.map((approver) => ({ ...about, ...addressed(event, approver), kind: 'KEY_REQUEST_WAITING' }));
      }
      case 'KeyRequestReminderSent': {
        // R20: the same approvers as when it arrived, as they stand now, but those whose approval
        // already counts (M-of-N): asked to approve again, they would be refused ALREADY_APPROVED.
        const counted = await this.countedApprovalsAt(about.org.orgId, request, event.position);
        const approvers = (await this.approversWithActiveKey(org, about.org.orgId, requester.agentId, event.position)).filter((approver) => !counted.includes(approver.agentId));
        const { reminderAfterHours } = event.data;
        return approvers.map((approver) => ({ ...about, ...addressed(event, approver), kind: 'KEY_REQUEST_REMINDER', waitingHours: reminderAfterHours }));
      }
      case 'KeyRequestExpired':
        return [{ ...about, ...addressed(event, requester), kind: 'KEY_REQUEST_EXPIRED', expiryHours: event.data.expiryHours }];
      case 'KeyApproved': {
        const { mode } = event.data;
        const approvedBy = signedApproval(event.data)?.approvedBy;
        const approver = approvedBy === undefined ? {} : { approvedBy: this.decider(org, approvedBy) };
        return [{ ...about, ...addressed(event, requester), kind: 'KEY_APPROVED', mode, ...approver }];
      }
      case 'KeyRejected': {
        const { rejectedBy, reason } = event.data;
        const rejecter = this.decider(org, rejectedBy);
        return [{ ...about, ...addressed(event, requester), kind: 'KEY_REJECTED', rejectedBy: rejecter, ...(reason ? { reason } : {}) }];
      }
      case 'KeyRequestLocked':
        return [{ ...about, ...addressed(event, requester), kind: 'KEY_REQUEST_LOCKED', failedAttempts: event.data.failedAttempts }];
    }
  }

  /**
   * R20: every ADMIN and SUPER_ADMIN of the org as they stood at the event, with or without a key
   * (a locked-out approver must hear of it too): at the start, halfway, on a veto, on completion,
   * and when it lapses (the agent it restores being no longer among them when removed).
   */
  private async recoveryJobs(event: RecordedEvent<RecoveryEvent>): Promise<EmailJob[]> {
    const orgId = event.metadata.orgId;
    const org = await this.states.loadAt(orgStream(orgId), organizationDecider, event.position);
    const recovery = (await this.states.loadAt(recoveryStream(orgId), recoveryDecider, event.position)).recoveries.get(event.data.recoveryId);
    const agent = this.person(org, event.data.agentId) ?? { agentId: event.data.agentId, displayName: event.data.agentId, email: '' };
    if (!recovery) return [];
    const about: Omit<RecoveryJobBase, 'id' | 'to'> = {
      ...eventBase(event, org),
      recovery: {
        recoveryId: recovery.recoveryId,
        agent,
        effectiveAt: recovery.effectiveAt,
        claimBy: recoveryClaimBy(recovery.effectiveAt, org.policy.pendingRequestExpiryHours),
        delayHours: recovery.delayHours,
        withWorkingApprover: recovery.withWorkingApprover,
      },
    };
    const news = this.recoveryNews(event, org);
    return [...org.approvers].map((agentId): EmailJob => ({ ...about, ...addressed(event, this.person(org, agentId)!), ...news }));
  }

  /** What a recovery event's email says besides the recovery: its kind, and who vetoed it or why it lapsed. */
  private recoveryNews(event: RecoveryEvent, org: OrganizationState): RecoveryNews {
    switch (event.type) {
      case 'RecoveryStarted':
        return { kind: 'RECOVERY_STARTED' };
      case 'RecoveryReminderSent':
        return { kind: 'RECOVERY_REMINDER' };
      case 'RecoveryCompleted':
        return { kind: 'RECOVERY_COMPLETED' };
      case 'RecoveryVetoed':
        return { kind: 'RECOVERY_VETOED', vetoedBy: this.decider(org, event.data.vetoedBy) };
      case 'RecoveryLapsed':
        return { kind: 'RECOVERY_LAPSED', reason: event.data.reason };
    }
  }

  /**
   * A key revoked by someone other than its holder, who hears of it at once. An approver's key
   * lowers what M-of-N can ask of a pending request (it counts only approvers with an ACTIVE key,
   * so that an org is never locked out): then every approver still holding one hears of it too,
   * and how many do, so that one ADMIN revoking the others' keys to approve alone is seen at once.
   * A key replaced by its holder's own request (R8) is told by KEY_APPROVED; one its holder revoked, to nobody.
   */
  private async revocationJobs(event: RecordedEvent<KeyRevoked>): Promise<EmailJob[]> {
    const { agentId, fingerprint, reasonCode, reason, revokedBy } = event.data;
    if (reasonCode === 'REPLACED' || revokedBy === agentId) return [];
    const orgId = event.metadata.orgId;
    // Before `org`: the notifier's cache of the org stream then folds forward only.
    const before = await this.directoryBefore(event);
    const org = await this.states.loadAt(orgStream(orgId), organizationDecider, event.position);
    const holder = this.person(before, agentId);
    const holderRole = roleOf(before, agentId);
    if (!holder || !holderRole) return [];
    const approvers = await this.approversWithActiveKey(org, orgId, agentId, event.position);
    const about: Omit<RevocationJobBase, 'id' | 'to'> = {
      ...eventBase(event, org),
      revocation: { holder, holderRole, fingerprint, reasonCode, reason, revokedBy: this.decider(org, revokedBy), approversWithActiveKey: approvers.length },
    };
    const told = isApproverRole(holderRole) ? approvers : [];
    return [
      { ...about, ...addressed(event, holder), kind: 'KEY_REVOKED' },
      ...told.map((approver): EmailJob => ({ ...about, ...addressed(event, approver), kind: 'APPROVER_KEY_REVOKED' })),
    ];
  }

  /**
   * An ADMIN or SUPER_ADMIN holding an ACTIVE key made a MEMBER by someone else (a SUPER_ADMIN,
   * the event's actor) keeps the key, as a member's, and approves nothing: the cap of M-of-N is
   * lowered as by a revocation of that key, so the same people hear of it, with how many
   * approvers still hold a key. The org stream at the event still holds the agent, now a MEMBER,
   * and the event names the role they had. SUPER_ADMIN to ADMIN leaves them an approver, and
   * the cap as it was; a change to AUDITOR releases the key, told by its KeyRevoked.
   */
  private async demotionJobs(event: RecordedEvent<AgentRoleChanged>): Promise<EmailJob[]> {
    const { agentId, from, to } = event.data;
    const demotedBy = event.metadata.actor;
    if (!isApproverRole(from) || to !== 'MEMBER' || demotedBy === agentId) return [];
    const orgId = event.metadata.orgId;
    const org = await this.states.loadAt(orgStream(orgId), organizationDecider, event.position);
    const holder = this.person(org, agentId);
    const key = activeKeyOf(await this.states.loadAt(agentStream(orgId, agentId), keyDecider, event.position));
    if (!holder || !key) return [];
    const approvers = await this.approversWithActiveKey(org, orgId, agentId, event.position);
    const about: Omit<DemotionJobBase, 'id' | 'to'> = {
      ...eventBase(event, org),
      demotion: { holder, holderRole: from, fingerprint: key.fingerprint, demotedBy: this.decider(org, demotedBy), approversWithActiveKey: approvers.length },
    };
    return [
      { ...about, ...addressed(event, holder), kind: 'DEMOTED_TO_MEMBER' },
      ...approvers.map((approver): EmailJob => ({ ...about, ...addressed(event, approver), kind: 'APPROVER_DEMOTED' })),
    ];
  }

  /**
   * A policy change that weakens a safeguard (fewer approvals activate a key, or a recovery is
   * vetoable for less time): a lone SUPER_ADMIN may lower a threshold, approve a key alone and
   * raise it back, so every approver holding an ACTIVE key at the event hears of it, as of a
   * revocation or demotion of an approver, with who changed what from what to what (the event's
   * `previous` and `policy`). The signer gets a copy of their own: their key and token may be
   * someone else's. A change that only tightens, or changes nothing that guards, mails nobody.
   */
  private async policyJobs(event: RecordedEvent<OrgPolicyChanged>): Promise<EmailJob[]> {
    const { previous, policy, changedBy } = event.data;
    const changes = policyChanges(previous, policy);
    if (!changes.some((change) => change.weakens)) return [];
    const orgId = event.metadata.orgId;
    const org = await this.states.loadAt(orgStream(orgId), organizationDecider, event.position);
    const others = await this.approversWithActiveKey(org, orgId, changedBy, event.position);
    const signer = this.person(org, changedBy);
    const signerHoldsKey = signer !== undefined && activeKeyOf(await this.keysAt(orgId, event.position)(changedBy)) !== undefined;
    const about: Omit<PolicyJobBase, 'id' | 'to'> = { ...eventBase(event, org), policyChange: { changedBy: this.decider(org, changedBy), changes } };
    return [
      ...others.map((approver): EmailJob => ({ ...about, ...addressed(event, approver), kind: 'POLICY_WEAKENED' })),
      ...(signerHoldsKey ? [{ ...about, ...addressed(event, signer), kind: 'POLICY_WEAKENED_BY_YOU' } satisfies EmailJob] : []),
    ];
  }

  /**
   * The directory just before a revocation. A removal or a change to AUDITOR commits its directory
   * event and the agent's key events after it in one append (R9, R18): the org stream's last event up
   * to the revocation is that change, and the state before it still holds the agent, their address
   * and their role. Found by the stream's revisions and bounded by positions, never by stepping
   * from one position to the next: positions are consecutive in SQLite only (KurrentDB's are offsets).
   */
  private async directoryBefore(event: RecordedEvent<KeyRevoked>): Promise<OrganizationState> {
    const stream = orgStream(event.metadata.orgId);
    const change = event.data.reasonCode === 'REVOKED_BY_ADMIN' ? undefined : (await this.events.readStream(stream, 0n, { toPosition: event.position })).at(-1);
    const changesHolder = change !== undefined && isDirectoryChangeOf(decode(change), event.data.agentId);
    return this.states.loadAt(stream, organizationDecider, changesHolder ? change.position - 1n : event.position);
  }

  /** R6: ADMIN or SUPER_ADMIN with an ACTIVE key, never the requester. */
  private async approversWithActiveKey(org: OrganizationState, orgId: string, requesterId: string, position: bigint): Promise<Person[]> {
    const approvers: Person[] = [];
    for await (const agentId of approversWithActiveKey(org, requesterId, this.keysAt(orgId, position))) approvers.push(this.person(org, agentId)!);
    return approvers;
  }

  /** The approvals of a request that count at `position` (M-of-N): by the key each approver holds ACTIVE then. */
  private async countedApprovalsAt(orgId: string, request: KeyRequestEntry, position: bigint): Promise<string[]> {
    const keysAt = this.keysAt(orgId, position);
    const approverKeys = new Map<string, string>();
    for (const agentId of request.approvals) {
      const key = activeKeyOf(await keysAt(agentId));
      if (key) approverKeys.set(agentId, key.fingerprint);
    }
    return countedApprovals(request, approverKeys);
  }

  private keysAt(orgId: string, position: bigint): (agentId: string) => Promise<KeyState> {
    return (agentId) => this.states.loadAt(agentStream(orgId, agentId), keyDecider, position);
  }

  /** The org, requester and request of a key event; undefined when the requester is not an agent of the org. */
  private async context(event: NotifiedEvent): Promise<{ about: About; org: OrganizationState; request: KeyRequestEntry } | undefined> {
    const { requestId, agentId } = event.data;
    const orgId = event.metadata.orgId;
    const org = await this.states.loadAt(orgStream(orgId), organizationDecider, event.position);
    const requester = this.person(org, agentId);
    const request = (await this.states.loadAt(agentStream(orgId, agentId), keyDecider, event.position)).requests.get(requestId);
    if (!requester || !request) return undefined;
    const { fingerprint, replacesFingerprint } = request;
    return {
      about: {
        ...eventBase(event, org),
        request: { requestId, requester, fingerprint, ...(replacesFingerprint !== undefined && { replacesFingerprint }) },
      },
      org,
      request,
    };
  }

  private person(org: OrganizationState, agentId: string): Person | undefined {
    const agent = org.agents.get(agentId);
    return agent && { agentId, displayName: agent.displayName, email: agent.email };
  }

  /** A decider is an agent of the org when deciding; their id stands in should the directory not know them. */
  private decider(org: OrganizationState, agentId: string): Decider {
    return { agentId, displayName: org.agents.get(agentId)?.displayName ?? agentId };
  }
}

/** What every job of an event holds, whoever it goes to. */
const eventBase = (event: RecordedEvent, org: OrganizationState): Omit<EmailJobBase, 'id' | 'to'> => ({
  eventId: event.id,
  occurredAt: event.metadata.occurredAt,
  org: { orgId: event.metadata.orgId, name: org.name ?? '' },
});

/** A job's id and recipient: one job per event and recipient. */
const addressed = (event: RecordedEvent, person: Person): Pick<EmailJobBase, 'id' | 'to'> => ({ id: emailJobId(event.id, person.agentId), to: person });

/** The removal of the agent or their change of role, the directory event a release of their key follows (KEY_RELEASE_REASONS). */
const isDirectoryChangeOf = (event: LogEvent, agentId: string): boolean =>
  (event.type === 'AgentRemoved' || event.type === 'AgentRoleChanged') && event.data.agentId === agentId;
