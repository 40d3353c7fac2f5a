import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { decode } from '../../domain/events/decode';
import { refuse } from '../../domain/shared/refusal';
import { isApproverRole } from '../../domain/shared/roles';
import { keyDecider } from '../../domain/signature-key/key.decider';
import { signedApproval } from '../../domain/signature-key/key.events';
import { replacedKey } from '../../domain/signature-key/replaced-key';
import { agentStream } from '../../domain/streams';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { Directory } from '../directory';
import { PendingApprovalsQuery } from '../queries/pending-approvals';
import { requesterOf } from '../request-ids';
import { quoted } from '../../shared/quoted';

export interface KeyRequestView {
  requestId: string;
  agentId: string;
  /** The requester as the directory knows them, so the approver sees who asks. */
  displayName?: string;
  email?: string;
  status: string;
  publicKey: string;
  fingerprint: string;
  verificationCode: string;
  failedAttempts: number;
  /** R8: while PENDING, the ACTIVE key approving it revokes; null when it replaces none, or once decided. */
  replacesFingerprint: string | null;
  /** R20 M-of-N: whose approvals count so far while it waits for more; once decided, who had approved (the approver who activated it last). */
  approvals: readonly string[];
  /** R20 M-of-N: while PENDING, the approvals that activate the key now; null once decided. */
  approvalsRequired: number | null;
  /** R20: while PENDING (or past its expiry, not yet recorded), when its approvers are reminded and when it expires, by the org's policy now; null once decided. */
  remindAt: string | null;
  expiresAt: string | null;
  requestedAt: string;
  /** Every event of this request, oldest first: what happened, when, by whom. */
  history: { type: string; at: string; by: string; position: string }[];
}

/** One key request, read from its event stream (always current). Requester, ADMIN or SUPER_ADMIN. */
export class GetKeyRequestQuery extends Query<KeyRequestView> {
  constructor(
    readonly orgId: string,
    readonly callerId: string,
    readonly requestId: string,
    /** A PENDING request past its expiry at this instant reads EXPIRED, recorded or not. */
    readonly now: Date,
  ) {
    super();
  }
}

@QueryHandler(GetKeyRequestQuery)
export class GetKeyRequestHandler implements IQueryHandler<GetKeyRequestQuery> {
  constructor(
    private readonly directory: Directory,
    private readonly pendingApprovals: PendingApprovalsQuery,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ orgId, callerId, requestId, now }: GetKeyRequestQuery): Promise<KeyRequestView> {
    const notFound = () => refuse('NOT_FOUND', 'KEY_REQUEST_NOT_FOUND', `Key request ${quoted(requestId)} does not exist.`);
    const { org, actor } = await this.directory.actor(orgId, callerId);
    const agentId = requesterOf(requestId);
    if (agentId === undefined) return notFound();
    if (agentId !== callerId && !isApproverRole(actor.role)) {
      refuse('FORBIDDEN', 'NOT_ALLOWED', 'Only the requester, an ADMIN or a SUPER_ADMIN may read a key request.');
    }
    const keys = (await this.directory.keys(orgId, agentId)).state;
    const entry = keys.requests.get(requestId);
    if (!entry) return notFound();
    const events = (await this.store.readStream(agentStream(orgId, agentId)))
      .map((event) => decode(event, keyDecider.events))
      .filter((event) => event.data.requestId === requestId);
    const history = events.map((event) => ({ type: event.type, at: event.metadata.occurredAt, by: event.metadata.actor, position: String(event.position) }));
    // The state keeps the approvals a request waits with; the one that activated it is its KeyApproved's signer.
    const approved = events.find((event) => event.type === 'KeyApproved');
    const activatedBy = approved?.type === 'KeyApproved' ? signedApproval(approved.data)?.approvedBy : undefined;
    const requester = org.state.agents.get(agentId);
    const pending = entry.status === 'PENDING' ? await this.pendingApprovals.of(orgId, org.state, agentId, entry) : undefined;
    // R20: past its expiry nobody can decide it, whether or not the scheduler has recorded the expiry yet.
    const expired = pending !== undefined && now.getTime() >= Date.parse(pending.expiresAt);
    return {
      requestId,
      agentId,
      ...(requester ? { displayName: requester.displayName, email: requester.email } : {}),
      status: expired ? 'EXPIRED' : entry.status,
      publicKey: entry.publicKey,
      fingerprint: entry.fingerprint,
      verificationCode: entry.verificationCode,
      failedAttempts: entry.failedAttempts,
      replacesFingerprint: pending && !expired ? replacedKey(entry.replacesFingerprint, keys.active?.fingerprint) : null,
      // An approver who had approved already activates it when the threshold was lowered since: named once.
      approvals: pending?.approvals ?? (activatedBy && !entry.approvals.includes(activatedBy) ? [...entry.approvals, activatedBy] : entry.approvals),
      approvalsRequired: pending && !expired ? pending.approvalsRequired : null,
      remindAt: pending?.remindAt ?? null,
      expiresAt: pending?.expiresAt ?? null,
      requestedAt: history[0]?.at ?? '',
      history,
    };
  }
}
