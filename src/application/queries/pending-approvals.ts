import { Inject, Injectable } from '@nestjs/common';
import { InMemoryDocuments } from '../../../projections/in-memory-documents';
import { agentStatusId, orgStatusProjection, type AgentStatusDocument } from '../../../projections/org-status.projection';
import { keyApprovalId, pendingKeyId, pendingKeysProjection, type KeyApprovalDocument, type PendingKeyDocument } from '../../../projections/pending-keys.projection';
import type { OrganizationState } from '../../domain/organization/organization.state';
import { approvalThreshold, countedApprovals } from '../../domain/signature-key/approval-threshold';
import type { KeyRequestEntry } from '../../domain/signature-key/key.state';
import { replacedKey } from '../../domain/signature-key/replaced-key';
import { deadlinesOf } from '../../domain/signature-key/request-deadlines';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { Directory } from '../directory';
import { decodeCursor, encodeCursor } from './cursor';
import { LogTail } from './log-tail';
import { ReadQueries, type Page } from './read-queries';

/** What the pending list and a PENDING request's read add to the request (R20), worked out now: the org's policy and its approvers' keys move. */
export interface PendingApprovals {
  /** The approvals that still count, as the next approval counts them. */
  approvals: string[];
  /** The threshold the next approval is decided against. */
  approvalsRequired: number;
  /** When its approvers are (or were) reminded, and when it expires, by the org's policy now. */
  remindAt: string;
  expiresAt: string;
}

/** Who asks, as the directory knows them: the approver must know whose key they approve. */
interface Requester {
  displayName: string;
  email: string;
}

export type PendingKeyItem = Omit<PendingKeyDocument, 'orgId' | 'challengeExpiresAt'> & Requester & PendingApprovals;

/** What a request's approvals and deadlines are worked out from: its stream's entry. */
type RequestFacts = Pick<KeyRequestEntry, 'approvals' | 'approvedWith' | 'challengeExpiresAt'>;

/** The read models the pending list is served from, and brought up to the log's tail with. */
const SERVED_FROM = [pendingKeysProjection, orgStatusProjection];

/**
 * R20 as the next decision will see it, for the pending list and a PENDING request's read: the
 * threshold is the policy's now (a tightened one applies to pending requests), capped by the
 * approvers besides the requester who hold an ACTIVE key now; the approvals that count are those
 * of approvers still ADMIN or SUPER_ADMIN who still hold the key that signed them; the deadlines
 * are the policy's now, counted as the scheduler and the decider count them (deadlinesOf). The
 * approve answer and the list must say the same, and a policy change shows at once.
 */
@Injectable()
export class PendingApprovalsQuery {
  constructor(
    private readonly directory: Directory,
    private readonly queries: ReadQueries,
    @Inject(EVENT_STORE) private readonly events: Pick<EventStore, 'readAll'>,
  ) {}

  /**
   * One page of the pending list, oldest first, of `limit` requests unless it is the last. The
   * read models answer it, brought up to the log's events past their checkpoints (one read a
   * page): a request decided there is left out, and its approvals are what the log says now.
   * A request past its expiry that no scheduler has recorded yet is left out too, by the policy
   * now (nobody can decide it any more, R17, R20), and the model is read on past it so the page
   * stays full. The cursor is the last listed request's log position.
   */
  async page(orgId: string, org: OrganizationState, { limit, cursor }: { limit: number; cursor?: string }, now: Date): Promise<Page<PendingKeyItem>> {
    let after = decodeCursor(cursor, 'number');
    const [tail, holders] = await Promise.all([LogTail.read(this.events, this.queries, orgId, SERVED_FROM), this.holders(orgId, org)]);
    const items: PendingKeyItem[] = [];
    for (;;) {
      const found = (await this.queries.pendingKeys(orgId, after, limit + 1)) as unknown as Omit<PendingKeyDocument, 'orgId'>[];
      const documents = await this.caughtUp(orgId, org, found, tail);
      const listed = await Promise.all(found.map(({ requestId }) => this.listed(orgId, org, holders, documents, requestId, tail, now)));
      for (const item of listed) if (item) items.push(item);
      if (items.length > limit || found.length <= limit) break;
      after = found[found.length - 1].requestedPosition;
    }
    const page = items.slice(0, limit);
    return { items: page, ...(items.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].requestedPosition) } : {}) };
  }

  /**
   * The requests found, their approvals, and the org-status documents of their approvers and of
   * the requesters of replacements (one query each, not one a request), as the log has them now:
   * what the page is worked out from.
   */
  private async caughtUp(orgId: string, org: OrganizationState, found: readonly Omit<PendingKeyDocument, 'orgId'>[], tail: LogTail): Promise<InMemoryDocuments> {
    const documents = new InMemoryDocuments();
    for (const document of found) documents.put('pending_keys', pendingKeyId(orgId, document.requestId), { ...document, orgId });
    const approved = found.filter(({ approvals }) => approvals.length > 0).map(({ requestId }) => requestId);
    for (const approval of (await this.queries.keyApprovals(orgId, approved)) as KeyApprovalDocument[]) {
      documents.put('key_approvals', keyApprovalId(orgId, approval.requestId, approval.approverId), approval);
    }
    tail.bringUp(documents, pendingKeysProjection);
    const agents = new Set<string>();
    for (const { requestId } of found) {
      const request = documents.get('pending_keys', pendingKeyId(orgId, requestId)) as PendingKeyDocument | undefined;
      if (request?.replacesFingerprint) agents.add(request.agentId);
      for (const agentId of request?.approvals ?? []) {
        if (org.approvers.has(agentId)) agents.add(agentId);
      }
    }
    for (const agent of (await this.queries.agentStatuses(orgId, [...agents])) as AgentStatusDocument[]) documents.put('agent_status', agentStatusId(orgId, agent.agentId), agent);
    tail.bringUp(documents, orgStatusProjection);
    return documents;
  }

  /** A request found as the list shows it, undefined when the log shows it decided or it is past its expiry. */
  private async listed(
    orgId: string,
    org: OrganizationState,
    holders: Set<string>,
    documents: InMemoryDocuments,
    requestId: string,
    tail: LogTail,
    now: Date,
  ): Promise<PendingKeyItem | undefined> {
    const document = documents.get('pending_keys', pendingKeyId(orgId, requestId)) as PendingKeyDocument | undefined;
    // A requester gone from the directory read had the request cancelled in the same commit (ManageAgents).
    const requester = document && org.agents.get(document.agentId);
    if (!document || !requester) return undefined;
    const { orgId: _orgId, challengeExpiresAt, replacesFingerprint, ...item } = document;
    const who: Requester = { displayName: requester.displayName, email: requester.email };
    const counted = challengeExpiresAt === undefined ? undefined : countingInReadModels(orgId, org, documents, document, tail);
    let shown: PendingApprovals;
    let replaces: string | null;
    if (counted) {
      shown = this.approvalsOf(org, holders, item.agentId, counted, { challengeExpiresAt });
      const agent = documents.get('agent_status', agentStatusId(orgId, item.agentId)) as AgentStatusDocument | undefined;
      // An org-status model that has not applied the requester's AgentAdded yet cannot tell: the request's own record stands.
      replaces = agent ? replacedKey(replacesFingerprint, agent.activeKey?.fingerprint) : replacesFingerprint;
    } else {
      // A document of an earlier release (no challenge expiry, or approvals without the keys that
      // signed them), or a tail cut short: the request's stream tells, as the decision reads it.
      const keys = (await this.directory.keys(orgId, item.agentId)).state;
      const request = keys.requests.get(requestId);
      if (request?.status !== 'PENDING') return undefined;
      shown = this.approvalsOf(org, holders, item.agentId, await this.directory.countingApprovals(orgId, org, request), request);
      replaces = replacedKey(request.replacesFingerprint, keys.active?.fingerprint);
    }
    return now.getTime() < Date.parse(shown.expiresAt) ? { ...item, ...who, replacesFingerprint: replaces, ...shown } : undefined;
  }

  /** The same for one PENDING request of `agentId`, read from its stream. */
  async of(orgId: string, org: OrganizationState, agentId: string, request: RequestFacts): Promise<PendingApprovals> {
    return this.approvalsOf(org, await this.holders(orgId, org), agentId, await this.directory.countingApprovals(orgId, org, request), request);
  }

  /** One holder more than the highest threshold tells every cap, the requester left out. */
  private holders(orgId: string, org: OrganizationState): Promise<Set<string>> {
    return this.directory.approversHoldingKeys(orgId, org, Math.max(org.policy.memberKeyApprovals, org.policy.adminKeyApprovals) + 1);
  }

  private approvalsOf(org: OrganizationState, holders: Set<string>, agentId: string, approvals: string[], request: Pick<RequestFacts, 'challengeExpiresAt'>): PendingApprovals {
    const others = holders.size - (holders.has(agentId) ? 1 : 0);
    return {
      approvals,
      approvalsRequired: approvalThreshold(org.policy, org.agents.get(agentId)?.role ?? 'MEMBER', others),
      ...deadlinesOf(request, org.policy),
    };
  }
}

/**
 * R20 M-of-N: the approvals of a request that count now, by the key decider's own rule
 * (countedApprovals), from the read models brought up to the log's tail: the key that signed each
 * approval (pending-keys) against the approver's ACTIVE key (org-status), the roles from the org
 * stream. Undefined when they cannot tell: an approval recorded before the pending-keys model kept
 * its key (an earlier release), or a tail that did not reach the log's head.
 */
function countingInReadModels(orgId: string, org: OrganizationState, documents: InMemoryDocuments, request: PendingKeyDocument, tail: LogTail): string[] | undefined {
  if (request.approvals.length === 0) return [];
  if (!tail.complete) return undefined;
  const approvedWith = new Map<string, string>();
  const approverKeys = new Map<string, string>();
  for (const approverId of request.approvals) {
    const approval = documents.get('key_approvals', keyApprovalId(orgId, request.requestId, approverId)) as KeyApprovalDocument | undefined;
    if (!approval) return undefined;
    approvedWith.set(approverId, approval.fingerprint);
    if (!org.approvers.has(approverId)) continue;
    const agent = documents.get('agent_status', agentStatusId(orgId, approverId)) as AgentStatusDocument | undefined;
    if (!agent) return undefined;
    if (agent.activeKey) approverKeys.set(approverId, agent.activeKey.fingerprint);
  }
  return countedApprovals({ approvals: request.approvals, approvedWith }, approverKeys);
}
