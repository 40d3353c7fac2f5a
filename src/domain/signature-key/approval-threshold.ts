import { approvalsRequired, type ApprovalPolicy } from '../organization/org-policy';
import type { Role } from '../shared/roles';

/**
 * R20 M-of-N, the number of distinct approvals that activates a key: the policy's threshold for
 * the requester's role, capped by `activeApprovers`, the ADMINs and SUPER_ADMINs other than the
 * requester who hold an ACTIVE key at decision time, and never below 1. The cap is what keeps a
 * threshold from locking an org out: whoever can still sign can always complete a request (and
 * when nobody else can, R8 ROTATION lets the sole approver replace their own key). It is read at
 * decision time, so tightening the policy applies to requests already pending.
 */
export const approvalThreshold = (policy: ApprovalPolicy, requesterRole: Role, activeApprovers: number): number =>
  Math.max(1, Math.min(approvalsRequired(policy, requesterRole), activeApprovers));

/**
 * The approvals of a request that still count: those of agents who are ADMIN or SUPER_ADMIN now.
 * An approver demoted or removed since no longer vouches for the key.
 */
export const countedApprovals = (approvals: readonly string[], approvers: ReadonlySet<string>): string[] =>
  approvals.filter((agentId) => approvers.has(agentId));
