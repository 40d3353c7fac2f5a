import type { DomainEvent } from '../shared/domain-event';
import type { RecordedProof } from '../shared/signed-proof';

/**
 * R20 break-glass recovery: the operator starts it for one SUPER_ADMIN; it takes effect at
 * `effectiveAt` unless an approver with an ACTIVE key vetoes it first. `delayHours` is the delay
 * applied: the policy's recoveryDelayHours, doubled when the org still had a working approver.
 */
export type RecoveryStarted = DomainEvent<
  'RecoveryStarted',
  {
    recoveryId: string;
    agentId: string;
    startedAt: string;
    effectiveAt: string;
    /** Halfway to effectiveAt: the approvers are reminded then. */
    remindAt: string;
    delayHours: number;
    /** An ADMIN or SUPER_ADMIN held an ACTIVE key when it started: the delay is doubled. */
    withWorkingApprover: boolean;
  }
>;
/** The approvers were reminded of a running recovery, once, halfway through its delay. */
export type RecoveryReminderSent = DomainEvent<'RecoveryReminderSent', { recoveryId: string; agentId: string }>;
/** An approver with an ACTIVE key stopped the recovery with a signed RECOVERY_VETO statement. */
export type RecoveryVetoed = DomainEvent<'RecoveryVetoed', { recoveryId: string; agentId: string; vetoedBy: string; decision: RecordedProof }>;
/** The delay passed unvetoed: the agent's PENDING key request was granted with mode RECOVERY in the same commit. */
export type RecoveryCompleted = DomainEvent<'RecoveryCompleted', { recoveryId: string; agentId: string; requestId: string; fingerprint: string }>;

/**
 * Why a recovery lapsed: its agent is no longer a SUPER_ADMIN of the org (another role), or no
 * longer a member; or it took effect but its agent requested no key within the claim window.
 */
export const RECOVERY_LAPSE_REASONS = ['AGENT_DEMOTED', 'AGENT_REMOVED', 'UNCLAIMED'] as const;
export type RecoveryLapseReason = (typeof RECOVERY_LAPSE_REASONS)[number];
/**
 * The agent it restores stopped being a SUPER_ADMIN while it ran, so it can never complete, or
 * never claimed it: it ends here, recorded by the scheduler or the directory change, and the org
 * may start another recovery.
 */
export type RecoveryLapsed = DomainEvent<'RecoveryLapsed', { recoveryId: string; agentId: string; reason: RecoveryLapseReason }>;

export type RecoveryEvent = RecoveryStarted | RecoveryReminderSent | RecoveryVetoed | RecoveryCompleted | RecoveryLapsed;
