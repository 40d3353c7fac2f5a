import { Injectable } from '@nestjs/common';
import type { PendingKeyDocument } from '../../../projections/pending-keys.projection';
import type { OrganizationState } from '../../domain/organization/organization.state';
import { approvalThreshold } from '../../domain/signature-key/approval-threshold';
import type { KeyRequestEntry } from '../../domain/signature-key/key.state';
import { deadlinesOf } from '../../domain/signature-key/request-deadlines';
import { Directory } from '../directory';
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

export type PendingKeyItem = Omit<PendingKeyDocument, 'orgId'> & PendingApprovals;

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
  ) {}

  /**
   * One page of the pending list, oldest first. A request its stream shows decided (the read
   * model not there yet) or past its expiry (no scheduler has recorded it yet) is left out: nobody
   * can decide it any more (R17, R20), so a page may hold fewer than `limit` requests.
   */
  async page(orgId: string, org: OrganizationState, { limit, cursor }: { limit: number; cursor?: string }, now: Date): Promise<Page<PendingKeyItem>> {
    const page = await this.queries.pendingKeys(orgId, limit, cursor);
    const holders = await this.holders(orgId, org);
    const items = await Promise.all(
      (page.items as unknown as Omit<PendingKeyDocument, 'orgId'>[]).map(async (item) => {
        const request = (await this.directory.keys(orgId, item.agentId)).state.requests.get(item.requestId);
        if (request?.status !== 'PENDING') return undefined;
        const shown = await this.approvalsOf(orgId, org, holders, item.agentId, request);
        return now.getTime() < Date.parse(shown.expiresAt) ? { ...item, ...shown } : undefined;
      }),
    );
    return { ...page, items: items.filter((item) => item !== undefined) };
  }

  /** The same for one PENDING request of `agentId`, read from its stream. */
  async of(orgId: string, org: OrganizationState, agentId: string, request: KeyRequestEntry): Promise<PendingApprovals> {
    return this.approvalsOf(orgId, org, await this.holders(orgId, org), agentId, request);
  }

  /** One holder more than the highest threshold tells every cap, the requester left out. */
  private holders(orgId: string, org: OrganizationState): Promise<Set<string>> {
    return this.directory.approversHoldingKeys(orgId, org, Math.max(org.policy.memberKeyApprovals, org.policy.adminKeyApprovals) + 1);
  }

  private async approvalsOf(orgId: string, org: OrganizationState, holders: Set<string>, agentId: string, request: KeyRequestEntry): Promise<PendingApprovals> {
    const others = holders.size - (holders.has(agentId) ? 1 : 0);
    return {
      approvals: await this.directory.countingApprovals(orgId, org, request),
      approvalsRequired: approvalThreshold(org.policy, org.agents.get(agentId)?.role ?? 'MEMBER', others),
      ...deadlinesOf(request, org.policy),
    };
  }
}
