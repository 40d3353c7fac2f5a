import { Injectable } from '@nestjs/common';
import type { OrganizationState } from '../../domain/organization/organization.state';
import { approvalThreshold } from '../../domain/signature-key/approval-threshold';
import { Directory } from '../directory';

/** What the pending list adds to a pending-keys document (R20 M-of-N), read now, not from the read model. */
export interface PendingApprovals {
  /** The approvals that still count, as the next approval counts them. */
  approvals: string[];
  /** The threshold the next approval is decided against. */
  approvalsRequired: number;
}

/**
 * R20 M-of-N as the next approval will see it, for the pending list: the threshold is the policy's
 * now (a tightened one applies to pending requests), capped by the approvers besides the requester
 * who hold an ACTIVE key now; the approvals that count are those of approvers still ADMIN or
 * SUPER_ADMIN who still hold the key that signed them. Neither is in the read model, which keeps
 * the approvals as recorded: the approve answer and the list must say the same.
 */
@Injectable()
export class PendingApprovalsQuery {
  constructor(private readonly directory: Directory) {}

  async of(orgId: string, org: OrganizationState, items: readonly { agentId: string; requestId: string; approvals: string[] }[]): Promise<PendingApprovals[]> {
    // One holder more than the highest threshold tells every cap, the requester left out.
    const holders = await this.directory.approversHoldingKeys(orgId, org, Math.max(org.policy.memberKeyApprovals, org.policy.adminKeyApprovals) + 1);
    return Promise.all(
      items.map(async ({ agentId, requestId, approvals }) => {
        const others = holders.size - (holders.has(agentId) ? 1 : 0);
        const approvalsRequired = approvalThreshold(org.policy, org.agents.get(agentId)?.role ?? 'MEMBER', others);
        const request = approvals.length > 0 ? (await this.directory.keys(orgId, agentId)).state.requests.get(requestId) : undefined;
        const counting = request?.status === 'PENDING' ? await this.directory.countingApprovals(orgId, org, request) : approvals;
        return { approvals: counting, approvalsRequired };
      }),
    );
  }
}
