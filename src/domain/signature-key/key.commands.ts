import type { ActorContext } from '../shared/actor';
import type { SignedProof } from '../shared/signed-proof';
import type { ApprovalPolicy, OrgPolicy } from '../organization/org-policy';
import type { Role } from '../shared/roles';
import type { KeyReleaseReason } from './key.events';

/**
 * Commands on one agent's key stream. Facts from other streams that the rules need
 * (the org's policy and first key, the caller's role and ACTIVE key) come in with the command,
 * loaded by the handler at decision time; `now` is the command's time (ISO-8601).
 */
export type RequestKey = {
  type: 'RequestKey';
  orgId: string;
  /** The agent asking for a key for themself; their role is in `requester`. */
  requester: ActorContext;
  requestId: string;
  publicKey: string;
  proof: SignedProof;
  replacePending: boolean;
  org: { policy: Pick<OrgPolicy, 'firstKeyRequiresAdmin'> & RequestDeadlines; firstKeyAssigned: boolean };
  now: string;
};
export type ApproveKey = {
  type: 'ApproveKey';
  orgId: string;
  requestId: string;
  approver: ActorContext;
  verificationCode: string;
  proof: SignedProof;
  /** The requester's role now, absent once removed: an AUDITOR's key is never approved (R18). */
  requesterRole?: Role;
  /** R20: the org's approval thresholds and request expiry now. */
  policy: ApprovalPolicy & RequestDeadlines;
  /**
   * The fingerprint of the ACTIVE key now of each agent who approved this request before and is an
   * ADMIN or SUPER_ADMIN now: only approvals signed with that key count (approval-threshold.ts).
   */
  approverKeys: ReadonlyMap<string, string>;
  /**
   * ADMINs and SUPER_ADMINs other than the requester holding an ACTIVE key, counted at least up to
   * the policy's threshold: none allows the sole approver's own ROTATION (R8), and it caps the
   * threshold (approval-threshold.ts).
   */
  activeApprovers: number;
  now: string;
};
export type RejectKey = {
  type: 'RejectKey';
  orgId: string;
  requestId: string;
  approver: ActorContext;
  reason?: string;
  proof: SignedProof;
  /** R20: the org's request expiry now. */
  policy: RequestDeadlines;
  now: string;
};
/** `agentId` is the agent whose key is revoked, `agentIsMember` whether the org's directory holds them now. */
export type RevokeKey = { type: 'RevokeKey'; orgId: string; actor: ActorContext; agentId: string; agentIsMember: boolean; reason: string; now: string };
/** R9, R18: removing an agent, or making them an AUDITOR, revokes their key and cancels their pending request. */
export type ReleaseAgentKeys = { type: 'ReleaseAgentKeys'; actorId: string; reason: KeyReleaseReason; now: string };

/** R20: the org's deadlines for PENDING requests, as the policy sets them when the command is decided. */
export type RequestDeadlines = Pick<OrgPolicy, 'pendingRequestExpiryHours' | 'reminderAfterHours'>;
/** R20, issued by the deadline scheduler: a PENDING request past its expiry is recorded EXPIRED. */
export type ExpireKeyRequest = { type: 'ExpireKeyRequest'; requestId: string; policy: RequestDeadlines; now: string };
/** R20, issued by the deadline scheduler: the approvers of a request waiting past the reminder delay are reminded, once. */
export type RemindApprovers = { type: 'RemindApprovers'; requestId: string; policy: RequestDeadlines; now: string };

/**
 * R20, issued when a break-glass recovery completes: the agent's PENDING request is granted with
 * mode RECOVERY, unless past the expiry of the org's policy (`policy`) at `now`.
 */
export type GrantRecoveredKey = { type: 'GrantRecoveredKey'; recoveryId: string; requestId: string; policy: RequestDeadlines; now: string };

export type KeyCommand = RequestKey | ApproveKey | RejectKey | RevokeKey | ReleaseAgentKeys | ExpireKeyRequest | RemindApprovers | GrantRecoveredKey;
