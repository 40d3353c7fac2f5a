import { Inject, Injectable } from '@nestjs/common';
import { pendingKeyId, pendingKeysProjection, type PendingKeyDocument } from '../../../projections/pending-keys.projection';
import { decode } from '../../domain/events/decode';
import type { LogEventType } from '../../domain/events/event-catalogue';
import type { OrganizationState } from '../../domain/organization/organization.state';
import { approvalThreshold } from '../../domain/signature-key/approval-threshold';
import type { KeyRequestEntry } from '../../domain/signature-key/key.state';
import { deadlinesOf } from '../../domain/signature-key/request-deadlines';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { Directory } from '../directory';
import { decodeCursor, encodeCursor } from './cursor';
import { ReadQueries, type Page } from './read-queries';

/** What the pending list and a PENDING request's read add to the read model (R20), read now, not from the read model. */
export interface PendingApprovals {
  /** The approvals that still count, as the next approval counts them. */
  approvals: string[];
  /** The threshold the next approval is decided against. */
  approvalsRequired: number;
  /** When its approvers are (or were) reminded, and when it expires, by the org's policy now. */
  remindAt: string;
  expiresAt: string;
}

export type PendingKeyItem = Omit<PendingKeyDocument, 'orgId' | 'challengeExpiresAt'> & PendingApprovals;

/** What a request's approvals and deadlines are worked out from: its stream's entry, or the read model's document. */
type RequestFacts = Pick<KeyRequestEntry, 'approvals' | 'approvedWith' | 'challengeExpiresAt'>;

/**
 * Events past the pending-keys model's checkpoint a page reads at most, to leave out what was
 * decided there: the model is normally a few events behind, and one further behind answers a few
 * of those it still lists with 409 REQUEST_NOT_PENDING, changing nothing.
 */
const TAIL_EVENTS = 1000;

/**
 * R20 as the next decision will see it, for the pending list and a PENDING request's read: the
 * threshold is the policy's now (a tightened one applies to pending requests), capped by the
 * approvers besides the requester who hold an ACTIVE key now; the approvals that count are those
 * of approvers still ADMIN or SUPER_ADMIN who still hold the key that signed them; the deadlines
 * are the policy's now, counted as the scheduler and the decider count them (deadlinesOf). None
 * is in the read model, which keeps the approvals as recorded: the approve answer and the list
 * must say the same, and a policy change shows at once.
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
   * read model answers it, with the log's events past its checkpoint that decided a request (not
   * there yet); a request past its expiry that no scheduler has recorded yet is left out too, by
   * the policy now (nobody can decide it any more, R17, R20), and the model is read on past it
   * so the page stays full. The cursor is the last listed request's log position.
   */
  async page(orgId: string, org: OrganizationState, { limit, cursor }: { limit: number; cursor?: string }, now: Date): Promise<Page<PendingKeyItem>> {
    let after = decodeCursor(cursor, 'number');
    const [decided, holders] = await Promise.all([this.decidedPastReadModel(orgId), this.holders(orgId, org)]);
    const items: PendingKeyItem[] = [];
    for (;;) {
      const found = (await this.queries.pendingKeys(orgId, after, limit + 1)) as unknown as Omit<PendingKeyDocument, 'orgId'>[];
      const listed = await Promise.all(
        found.map((document) => (decided.has(pendingKeyId(orgId, document.requestId)) ? undefined : this.listed(orgId, org, holders, document, now))),
      );
      for (const item of listed) if (item) items.push(item);
      if (items.length > limit || found.length <= limit) break;
      after = found[found.length - 1].requestedPosition;
    }
    const page = items.slice(0, limit);
    return { items: page, ...(items.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].requestedPosition) } : {}) };
  }

  /** A request of the read model as the list shows it, undefined when its stream shows it decided or it is past its expiry. */
  private async listed(orgId: string, org: OrganizationState, holders: Set<string>, document: Omit<PendingKeyDocument, 'orgId'>, now: Date): Promise<PendingKeyItem | undefined> {
    const { challengeExpiresAt, ...item } = document;
    // Approvals count only while their keys are the ones that signed them, which the stream keeps;
    // a document projected by an older release lacks the challenge's expiry. Both read the stream.
    const request: (RequestFacts & { status?: string }) | undefined =
      item.approvals.length > 0 || challengeExpiresAt === undefined
        ? (await this.directory.keys(orgId, item.agentId)).state.requests.get(item.requestId)
        : { approvals: [], approvedWith: new Map(), challengeExpiresAt, status: 'PENDING' };
    if (request?.status !== 'PENDING') return undefined;
    const shown = await this.approvalsOf(orgId, org, holders, item.agentId, request);
    return now.getTime() < Date.parse(shown.expiresAt) ? { ...item, ...shown } : undefined;
  }

  /** Requests of the org that events past the read model's checkpoint decided (as the projection itself deletes them). */
  private async decidedPastReadModel(orgId: string): Promise<Set<string>> {
    const decided = new Set<string>();
    for (const event of await this.events.readAll(await this.queries.checkpoint('pending-keys'), TAIL_EVENTS)) {
      if (event.metadata.orgId !== orgId || !pendingKeysProjection.types?.has(event.type as LogEventType)) continue;
      for (const change of pendingKeysProjection.project(decode(event))) if (change.kind === 'delete') decided.add(change.id);
    }
    return decided;
  }

  /** The same for one PENDING request of `agentId`, read from its stream. */
  async of(orgId: string, org: OrganizationState, agentId: string, request: RequestFacts): Promise<PendingApprovals> {
    return this.approvalsOf(orgId, org, await this.holders(orgId, org), agentId, request);
  }

  /** One holder more than the highest threshold tells every cap, the requester left out. */
  private holders(orgId: string, org: OrganizationState): Promise<Set<string>> {
    return this.directory.approversHoldingKeys(orgId, org, Math.max(org.policy.memberKeyApprovals, org.policy.adminKeyApprovals) + 1);
  }

  private async approvalsOf(orgId: string, org: OrganizationState, holders: Set<string>, agentId: string, request: RequestFacts): Promise<PendingApprovals> {
    const others = holders.size - (holders.has(agentId) ? 1 : 0);
    return {
      approvals: await this.directory.countingApprovals(orgId, org, request),
      approvalsRequired: approvalThreshold(org.policy, org.agents.get(agentId)?.role ?? 'MEMBER', others),
      ...deadlinesOf(request, org.policy),
    };
  }
}
