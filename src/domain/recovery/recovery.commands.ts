import type { ActorContext } from '../shared/actor';
import type { Role } from '../shared/roles';
import type { SignedProof } from '../shared/signed-proof';

/**
 * Commands on an org's recovery stream. Facts from other streams (the agent's role, whether an
 * approver still holds an ACTIVE key, the policy's delay, the agent's pending request) come in
 * with the command, loaded by the handler at decision time; `now` is the command's time.
 */
export type StartRecovery = {
  type: 'StartRecovery';
  recoveryId: string;
  agentId: string;
  /** The agent's role now, absent when they are not a member. */
  agentRole?: Role;
  /** The org policy's recoveryDelayHours now. */
  recoveryDelayHours: number;
  /** An ADMIN or SUPER_ADMIN of the org holds an ACTIVE key now. */
  withWorkingApprover: boolean;
  now: string;
};
/** Issued by the deadline scheduler: the approvers are reminded halfway through the delay, once. */
export type RemindOfRecovery = { type: 'RemindOfRecovery'; recoveryId: string; now: string };
export type VetoRecovery = { type: 'VetoRecovery'; orgId: string; recoveryId: string; approver: ActorContext; proof: SignedProof; now: string };
/** Issued by the deadline scheduler once effectiveAt passed; the key stream records the grant in the same commit. */
export type CompleteRecovery = {
  type: 'CompleteRecovery';
  recoveryId: string;
  agentRole?: Role;
  /** The agent's PENDING key request, if they made one. */
  pendingRequest?: { requestId: string; fingerprint: string };
  /** The org policy's pendingRequestExpiryHours now: how long after effectiveAt it waits for that request. */
  claimWindowHours: number;
  now: string;
};

/**
 * Issued by a directory change or the deadline scheduler once the agent is no longer a
 * SUPER_ADMIN (the recovery could never complete), or by the scheduler once its claim window ended.
 */
export type LapseRecovery = {
  type: 'LapseRecovery';
  recoveryId: string;
  /** The agent's role now, absent when they are no longer a member. */
  agentRole?: Role;
  /** The org policy's pendingRequestExpiryHours now: how long after effectiveAt it waits for the agent's key request. */
  claimWindowHours: number;
  now: string;
};

export type RecoveryCommand = StartRecovery | RemindOfRecovery | VetoRecovery | CompleteRecovery | LapseRecovery;
