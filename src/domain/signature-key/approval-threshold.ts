import { approvalsRequired, type ApprovalPolicy } from '../organization/org-policy';
import type { Role } from '../shared/roles';
import type { KeyRequestEntry } from './key.state';

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
 * The approvals of a request that still count: those of agents who are ADMIN or SUPER_ADMIN now
 * and still hold, ACTIVE, the key that signed their approval. `approverKeys` gives the ACTIVE key
 * fingerprint of each ADMIN and SUPER_ADMIN who approved. An approver demoted or removed since no
 * longer vouches for the key, and a key revoked since signs nothing (R9, R17): an approval made
 * with a stolen key stops counting once that key is revoked, and one made with a key replaced
 * since is made again with the new key.
 */
export const countedApprovals = (request: Pick<KeyRequestEntry, 'approvals' | 'approvedWith'>, approverKeys: ReadonlyMap<string, string>): string[] =>
  request.approvals.filter((agentId) => {
    const signedWith = request.approvedWith.get(agentId);
    return signedWith !== undefined && approverKeys.get(agentId) === signedWith;
  });
