import canonicalize from 'canonicalize';
import { roleOf } from '../../domain/organization/organization.state';
import type { ActiveKey } from '../../domain/shared/actor';
import type { ExpectedChallenge } from '../../domain/shared/check-proof';
import { isApproverRole } from '../../domain/shared/roles';
import type { RecordedProof } from '../../domain/shared/signed-proof';
import { challengeOf } from '../../domain/shared/used-nonces';
import { approvalThreshold, countedApprovals } from '../../domain/signature-key/approval-threshold';
import { MAX_APPROVAL_ATTEMPTS, type KeyApprovalAttemptFailed, type KeyApprovalRecorded, type KeyApproved, type KeyEvent, type KeyRejected } from '../../domain/signature-key/key.events';
import type { KeyRequestEntry, KeyState } from '../../domain/signature-key/key.state';
import { refuseExpired } from '../../domain/signature-key/request-deadlines';
import { underRule } from './as-decided';
import { byScheduler } from './by-scheduler';
import { violation } from './log-violation';
import type { RecoveryReplay } from './recovery-replay';
import type { ReplayedOrg } from './replayed-org';
import type { Decoded } from './replayed-event';
import { checkStatement } from './signed-statement';

/**
 * The decisions on one org's key requests, replayed: who approved (to the threshold), rejected or
 * tried a wrong code, and whether they could then; each approval a link of the approval chains.
 * KeyReplay hands it each decision on a request it found PENDING, in its key stream's order.
 */
export class KeyDecisions {
  constructor(
    private readonly replayed: ReplayedOrg,
    private readonly recovery: RecoveryReplay,
    /** The key KeyReplay saw revoked as REPLACED just before, per agent: a ROTATION is signed with it. */
    private readonly replacedKey: (agentId: string) => ActiveKey | undefined,
  ) {}

  approved(agentId: string, state: KeyState, request: KeyRequestEntry, event: Decoded<KeyApproved>): void {
    // decode refused an approver, decision or recovery where the mode records none (its shape).
    const { data } = event;
    if (data.mode === 'FIRST_KEY') {
      if (this.replayed.firstKey !== undefined) violation(`a second FIRST_KEY approval: the org's first key is ${this.replayed.firstKey}`);
      if (this.replayed.org.policy.firstKeyRequiresAdmin && !isApproverRole(roleOf(this.replayed.org, agentId) ?? 'MEMBER')) {
        violation(`the first key went to "${agentId}", not an ADMIN or SUPER_ADMIN, against the org's policy`);
      }
      this.replayed.approve({ agentId, requestId: request.requestId, fingerprint: request.fingerprint, mode: data.mode, occurredAt: event.occurredAt });
      return;
    }
    if (data.mode === 'RECOVERY') {
      byScheduler(event);
      this.recovery.grant(agentId, request, data.recoveryId, event);
      this.replayed.approve({ agentId, requestId: request.requestId, fingerprint: request.fingerprint, mode: data.mode, occurredAt: event.occurredAt });
      return;
    }
    const { mode, approvedBy, decision } = data;
    const signingKey = this.decision(agentId, state, request, event, approvedBy, decision, 'APPROVE');
    const { approvals, required } = this.approvalCount(agentId, request, approvedBy);
    if (approvals.length < required) violation(`key request ${request.requestId} was approved with ${approvals.length} approval(s) that count, below the org's threshold of ${required}`);
    const own = approvedBy === agentId;
    if (own !== (mode === 'ROTATION')) violation(own ? `"${agentId}" approved their own key as ${mode}, not a ROTATION` : `a ROTATION is approved by the key's own holder, not "${approvedBy}"`);
    this.replayed.approve({
      agentId,
      requestId: request.requestId,
      fingerprint: request.fingerprint,
      mode,
      approvedBy,
      signedWith: signingKey.fingerprint,
      occurredAt: event.occurredAt,
    });
  }

  recorded(agentId: string, state: KeyState, request: KeyRequestEntry, event: Decoded<KeyApprovalRecorded>): void {
    const { approvedBy, decision } = event.data;
    if (approvedBy === agentId) violation(`"${agentId}" approved their own key request below the threshold`);
    if (this.countedApprovals(request).includes(approvedBy)) violation(`"${approvedBy}" approved key request ${request.requestId} twice`);
    this.decision(agentId, state, request, event, approvedBy, decision, 'APPROVE');
    const { approvals, required } = this.approvalCount(agentId, request, approvedBy);
    if (approvals.length >= required) violation(`an approval of key request ${request.requestId} was recorded as partial although it reached the threshold of ${required}`);
    if (canonicalize(approvals) !== canonicalize(event.data.approvals) || required !== event.data.required) {
      violation(`the approvals of key request ${request.requestId} are recorded as ${event.data.approvals.length} of ${event.data.required}, not ${approvals.length} of ${required}`);
    }
  }

  rejected(agentId: string, state: KeyState, request: KeyRequestEntry, event: Decoded<KeyRejected>): void {
    if (event.data.rejectedBy === agentId) violation(`"${agentId}" rejected their own key request`);
    this.decision(agentId, state, request, event, event.data.rejectedBy, event.data.decision, 'REJECT');
  }

  attemptFailed(agentId: string, state: KeyState, request: KeyRequestEntry, event: Decoded<KeyApprovalAttemptFailed>): void {
    const { failedAttempts, attemptsLeft, nonce, decision, attemptedBy } = event.data;
    if (failedAttempts !== request.failedAttempts + 1 || attemptsLeft !== Math.max(0, MAX_APPROVAL_ATTEMPTS - failedAttempts)) {
      violation(`wrong verification code #${failedAttempts} (${attemptsLeft} left) does not follow ${request.failedAttempts} earlier failure(s) of request ${request.requestId}`);
    }
    if (challengeOf(decision.statement).nonce !== nonce) violation('the nonce of a failed approval attempt is not the one of its signed decision');
    this.decision(agentId, state, request, event, attemptedBy, decision, 'APPROVE');
  }

  /**
   * R6, R8: a decision is signed by the approver's key ACTIVE at that point, held by an ADMIN or
   * SUPER_ADMIN at that point, over a KEY_DECISION challenge for this request, key and decision,
   * and made before the request's expiry under the policy then (R17, R20).
   * An approver deciding on their own request does so only as the sole approver with an ACTIVE key.
   */
  private decision(
    agentId: string,
    state: KeyState,
    request: KeyRequestEntry,
    event: Decoded<KeyEvent>,
    approver: string,
    proof: RecordedProof,
    decision: 'APPROVE' | 'REJECT',
  ): ActiveKey {
    if (event.actor !== approver) violation(`the decision names approver "${approver}" but was recorded for "${event.actor}"`);
    underRule(event, () => refuseExpired(request, this.replayed.org.policy, event.occurredAt));
    const role = roleOf(this.replayed.org, approver);
    if (role === undefined || !isApproverRole(role)) violation(`the approver "${approver}" was ${role ?? 'not in the org'} at that point, not an ADMIN or SUPER_ADMIN`);
    const own = approver === agentId;
    // The approver's own key was ACTIVE before the commit that replaced it (ROTATION).
    const signingKey = (own ? (state.active ?? this.replacedKey(agentId)) : this.replayed.keys.get(approver)?.active) ??
      violation(`the approver "${approver}" had no ACTIVE key at that point`);
    if (own) {
      const others = [...this.replayed.org.approvers].filter((other) => other !== approver && this.replayed.keys.get(other)?.active !== undefined);
      if (decision === 'REJECT' || others.length > 0) {
        violation(`"${approver}" decided on their own key request while ${others.length > 0 ? `another approver (${others[0]}) had an ACTIVE key` : 'a rejection is never one\'s own'}`);
      }
    }
    const expected: ExpectedChallenge = { purpose: 'KEY_DECISION', orgId: this.replayed.orgId, agentId: approver, requestId: request.requestId, requesterPublicKey: request.publicKey, decision };
    checkStatement(event, proof, expected, signingKey, state.usedNonces);
    return signingKey;
  }

  /**
   * R20 M-of-N: the approvals of a request that count at this point: those of approvers still ADMIN
   * or SUPER_ADMIN and still holding ACTIVE the key that signed them.
   */
  private countedApprovals(request: KeyRequestEntry): string[] {
    const approverKeys = new Map<string, string>();
    for (const approver of request.approvals) {
      const active = this.replayed.org.approvers.has(approver) ? this.replayed.keys.get(approver)?.active : undefined;
      if (active) approverKeys.set(approver, active.fingerprint);
    }
    return countedApprovals(request, approverKeys);
  }

  /**
   * R20 M-of-N: an approval recorded below the threshold, or the approval that reaches it, counts
   * the approvals that still count (countedApprovals), each approver once, against the threshold of
   * the policy then, capped by the approvers besides the requester with an ACTIVE key then.
   */
  private approvalCount(agentId: string, request: KeyRequestEntry, approvedBy: string): { approvals: string[]; required: number } {
    const counted = this.countedApprovals(request);
    const activeApprovers = [...this.replayed.org.approvers].filter((other) => other !== agentId && this.replayed.keys.get(other)?.active !== undefined).length;
    const required = approvalThreshold(this.replayed.org.policy, roleOf(this.replayed.org, agentId) ?? 'MEMBER', activeApprovers);
    return { approvals: counted.includes(approvedBy) ? counted : [...counted, approvedBy], required };
  }
}
