import type { DomainEvent } from '../shared/domain-event';
import type { RecordedProof } from '../shared/signed-proof';

/** How a key came to be approved (R4, R6, R8; RECOVERY: an operator's break-glass recovery that took effect, R20). */
export const APPROVAL_MODES = ['FIRST_KEY', 'APPROVAL', 'ROTATION', 'RECOVERY'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** R5: after this many wrong verification codes the request is locked. */
export const MAX_APPROVAL_ATTEMPTS = 5;

export type KeyRequested = DomainEvent<
  'KeyRequested',
  {
    requestId: string;
    agentId: string;
    /** Raw 32-byte Ed25519 public key, base64url. */
    publicKey: string;
    /** Hex SHA-256 of the raw public key. */
    fingerprint: string;
    /** R5 verification code, digit groups. Public: derivable from (orgId, agentId, publicKey). */
    verificationCode: string;
    /** Proof of possession (R3): the new key's signature over the KEY_REQUEST challenge. */
    proof: RecordedProof;
    /** Fingerprint of the ACTIVE key this request would replace (R8), if any. */
    replacesFingerprint?: string;
  }
>;
/** What every key approval says: which request's key, of which agent. */
type ApprovedKey = { requestId: string; agentId: string; publicKey: string; fingerprint: string };
export type KeyApproved = DomainEvent<
  'KeyApproved',
  /** The org's first key, approved at once: no approver, no decision, no recovery (R4). */
  | (ApprovedKey & { mode: 'FIRST_KEY' })
  | (ApprovedKey & {
      mode: 'APPROVAL' | 'ROTATION';
      approvedBy: string;
      /** The approver's signed decision (R6). */
      decision: RecordedProof;
    })
  /** Granted by a break-glass recovery that took effect: nobody was left to approve (R20). */
  | (ApprovedKey & {
      mode: 'RECOVERY';
      /** The recovery (in the org's recovery stream) that granted it. */
      recoveryId: string;
    })
>;
/** A key approval an approver signed (APPROVAL, ROTATION), which alone names an approver and decision. */
export type SignedApproval = Extract<KeyApproved['data'], { decision: RecordedProof }>;
export const signedApproval = (data: KeyApproved['data']): SignedApproval | undefined => (data.mode === 'APPROVAL' || data.mode === 'ROTATION' ? data : undefined);
/**
 * R20 M-of-N: a signed approval that does not reach the threshold yet; the request stays PENDING.
 * The approval that reaches it is the KeyApproved. `approvals` are the approvers whose approvals
 * count at that point, this one last; `required` is the threshold then.
 */
export type KeyApprovalRecorded = DomainEvent<
  'KeyApprovalRecorded',
  { requestId: string; agentId: string; approvedBy: string; approvals: string[]; required: number; decision: RecordedProof }
>;
export type KeyRejected = DomainEvent<
  'KeyRejected',
  { requestId: string; agentId: string; rejectedBy: string; reason?: string; decision: RecordedProof }
>;
export type KeyApprovalAttemptFailed = DomainEvent<
  'KeyApprovalAttemptFailed',
  {
    requestId: string;
    agentId: string;
    attemptedBy: string;
    /** Why the attempt failed; only wrong codes count towards the lock. */
    failure: 'VERIFICATION_CODE_MISMATCH';
    failedAttempts: number;
    attemptsLeft: number;
    /** Challenge nonce of the attempt, so the same signed decision cannot be replayed. */
    nonce: string;
    /** The signed decision that carried the wrong code: audits the attempt, and its statement gives the nonce's expiry. */
    decision: RecordedProof;
  }
>;
export type KeyRequestLocked = DomainEvent<
  'KeyRequestLocked',
  { requestId: string; agentId: string; failedAttempts: number }
>;
/** Why an agent's keys are released (R9, R18): their ACTIVE key revoked, their pending request cancelled. */
export const KEY_RELEASE_REASONS = ['AGENT_REMOVED', 'ROLE_CHANGED_TO_AUDITOR'] as const;
export type KeyReleaseReason = (typeof KEY_RELEASE_REASONS)[number];

export type KeyRequestCancelled = DomainEvent<
  'KeyRequestCancelled',
  { requestId: string; agentId: string; reason: 'REPLACED_BY_NEW_REQUEST' | KeyReleaseReason; cancelledBy: string }
>;
export type KeyRevoked = DomainEvent<
  'KeyRevoked',
  {
    agentId: string;
    /** The request that created the revoked key. */
    requestId: string;
    fingerprint: string;
    reasonCode: 'REPLACED' | 'REVOKED_BY_ADMIN' | KeyReleaseReason;
    reason: string;
    revokedBy: string;
  }
>;

/** R20: a request stayed PENDING longer than the org's pendingRequestExpiryHours; the agent may request again. */
export type KeyRequestExpired = DomainEvent<'KeyRequestExpired', { requestId: string; agentId: string; expiryHours: number }>;
/** R20: the approvers were reminded of a request PENDING longer than the org's reminderAfterHours; once per request. */
export type KeyRequestReminderSent = DomainEvent<'KeyRequestReminderSent', { requestId: string; agentId: string; reminderAfterHours: number }>;

export type KeyEvent =
  | KeyRequested
  | KeyApproved
  | KeyApprovalRecorded
  | KeyRejected
  | KeyApprovalAttemptFailed
  | KeyRequestLocked
  | KeyRequestCancelled
  | KeyRevoked
  | KeyRequestExpired
  | KeyRequestReminderSent;
