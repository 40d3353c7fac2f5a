import { RECOVERY_EVENTS } from '../events/event-catalogue';
import { hoursToMs } from '../organization/org-policy';
import { checkChallenge, recordProof, requireSignature } from '../shared/check-proof';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/refusal';
import { isApproverRole } from '../shared/roles';
import { withUsedNonce } from '../shared/used-nonces';
import type { CompleteRecovery, LapseRecovery, RecoveryCommand, RemindOfRecovery, StartRecovery, VetoRecovery } from './recovery.commands';
import type { RecoveryEvent } from './recovery.events';
import { initialRecoveryState, runningRecovery, type RecoveryEntry, type RecoveryState } from './recovery.state';
import { isoInstant } from '../../shared/iso-instant';
import { quoted } from '../../shared/quoted';

/**
 * The delay a recovery waits: the policy's, doubled while an approver still holds an ACTIVE key.
 * Refusing then would let one stale, unrevoked approver key keep the org locked out forever; the
 * working approvers get twice the time to veto instead.
 */
export const recoveryDelayHours = (policyDelayHours: number, withWorkingApprover: boolean): number =>
  withWorkingApprover ? 2 * policyDelayHours : policyDelayHours;

/** When a recovery started at `startedAt` takes effect, and when its approvers are reminded (halfway). */
export function recoveryTimes(startedAt: string, delayHours: number): { effectiveAt: string; remindAt: string } {
  const start = isoInstant(startedAt);
  return {
    effectiveAt: new Date(start + hoursToMs(delayHours)).toISOString(),
    remindAt: new Date(start + hoursToMs(delayHours) / 2).toISOString(),
  };
}

/**
 * Until when a recovery that took effect at `effectiveAt` waits for its agent's key request: as
 * long as a key request waits for its approval (the policy's pendingRequestExpiryHours, passed as
 * `claimWindowHours`). After that it lapses UNCLAIMED instead of blocking every other recovery,
 * and a late request gets no grant the approvers were last warned of long before.
 */
export function recoveryClaimBy(effectiveAt: string, claimWindowHours: number): string {
  return new Date(isoInstant(effectiveAt) + hoursToMs(claimWindowHours)).toISOString();
}

function startRecovery(command: StartRecovery, state: RecoveryState): RecoveryEvent[] {
  const running = runningRecovery(state);
  if (running) {
    refuse('CONFLICT', 'RECOVERY_IN_PROGRESS', `Recovery ${quoted(running.recoveryId)} of ${quoted(running.agentId)} is running until ${running.effectiveAt}: one recovery at a time.`, {
      recoveryId: running.recoveryId,
      effectiveAt: running.effectiveAt,
    });
  }
  if (command.agentRole !== 'SUPER_ADMIN') {
    refuse(
      'UNPROCESSABLE',
      'NOT_SUPER_ADMIN',
      `A recovery restores a SUPER_ADMIN, who can then approve everyone else; ${quoted(command.agentId)} is ${command.agentRole ?? 'not a member of the organization'}.`,
      { agentRole: command.agentRole ?? null },
    );
  }
  if (state.recoveries.has(command.recoveryId)) refuse('CONFLICT', 'RECOVERY_EXISTS', `Recovery ${quoted(command.recoveryId)} already exists.`);
  const delayHours = recoveryDelayHours(command.recoveryDelayHours, command.withWorkingApprover);
  const { recoveryId, agentId, withWorkingApprover, now: startedAt } = command;
  return [{ type: 'RecoveryStarted', data: { recoveryId, agentId, startedAt, ...recoveryTimes(startedAt, delayHours), delayHours, withWorkingApprover } }];
}

/** The running recovery a command is about (a scheduler or approver may find it decided already). */
function running(state: RecoveryState, recoveryId: string): RecoveryEntry {
  const recovery = state.recoveries.get(recoveryId) ?? refuse('NOT_FOUND', 'RECOVERY_NOT_FOUND', `Recovery ${quoted(recoveryId)} does not exist.`);
  if (recovery.status !== 'RUNNING') {
    refuse('CONFLICT', 'RECOVERY_NOT_RUNNING', `Recovery ${quoted(recoveryId)} is ${recovery.status}, not RUNNING.`, { recoveryStatus: recovery.status });
  }
  return recovery;
}

function remind(command: RemindOfRecovery, state: RecoveryState): RecoveryEvent[] {
  const recovery = running(state, command.recoveryId);
  if (recovery.reminded) refuse('CONFLICT', 'ALREADY_REMINDED', 'The approvers were already reminded of this recovery.');
  if (command.now < recovery.remindAt) refuse('CONFLICT', 'NOT_DUE', `The approvers are reminded at ${recovery.remindAt}, not before.`, { remindAt: recovery.remindAt });
  return [{ type: 'RecoveryReminderSent', data: { recoveryId: recovery.recoveryId, agentId: recovery.agentId } }];
}

/** Any ADMIN or SUPER_ADMIN with an ACTIVE key vetoes, signed, until the recovery completes. */
function veto(command: VetoRecovery, state: RecoveryState): RecoveryEvent[] {
  const { approver } = command;
  if (!isApproverRole(approver.role)) refuse('FORBIDDEN', 'NOT_AN_APPROVER', 'Only an ADMIN or SUPER_ADMIN vetoes a recovery.');
  const recovery = running(state, command.recoveryId);
  const signingKey =
    approver.activeKey ?? refuse('FORBIDDEN', 'APPROVER_HAS_NO_ACTIVE_KEY', 'A veto is signed with your ACTIVE key, and you have none.');
  checkChallenge(
    command.proof,
    { purpose: 'RECOVERY_VETO', orgId: command.orgId, agentId: approver.agentId, recoveryId: recovery.recoveryId, recoveredAgentId: recovery.agentId },
    command.now,
    state.usedNonces,
  );
  requireSignature(command.proof, signingKey.publicKey, 'your ACTIVE key');
  const decision = recordProof(command.proof, signingKey.publicKey);
  return [{ type: 'RecoveryVetoed', data: { recoveryId: recovery.recoveryId, agentId: recovery.agentId, vetoedBy: approver.agentId, decision } }];
}

function complete(command: CompleteRecovery, state: RecoveryState): RecoveryEvent[] {
  const recovery = running(state, command.recoveryId);
  if (command.now < recovery.effectiveAt) {
    refuse('CONFLICT', 'NOT_DUE', `The recovery takes effect at ${recovery.effectiveAt}, not before.`, { effectiveAt: recovery.effectiveAt });
  }
  const claimBy = recoveryClaimBy(recovery.effectiveAt, command.claimWindowHours);
  if (command.now >= claimBy) {
    refuse('CONFLICT', 'CLAIM_WINDOW_ENDED', `The recovery waited for a key request of ${quoted(recovery.agentId)} until ${claimBy}: it grants none after that, and lapses.`, { claimBy });
  }
  if (command.agentRole !== 'SUPER_ADMIN') {
    refuse('CONFLICT', 'NOT_SUPER_ADMIN', `${quoted(recovery.agentId)} is no longer a SUPER_ADMIN: the recovery cannot complete.`, { agentRole: command.agentRole ?? null });
  }
  const request =
    command.pendingRequest ??
    refuse('CONFLICT', 'NO_PENDING_REQUEST', `${quoted(recovery.agentId)} has no PENDING key request to grant yet: the recovery completes once they request a key.`);
  return [{ type: 'RecoveryCompleted', data: { recoveryId: recovery.recoveryId, agentId: recovery.agentId, requestId: request.requestId, fingerprint: request.fingerprint } }];
}

/**
 * A recovery restores a SUPER_ADMIN: once its agent is demoted or removed it could never complete,
 * and while it ran no other recovery could start, so it lapses instead of blocking the org's way
 * back. So does one whose agent, still a SUPER_ADMIN, did not claim it within its claim window.
 */
function lapse(command: LapseRecovery, state: RecoveryState): RecoveryEvent[] {
  const recovery = running(state, command.recoveryId);
  const claimBy = recoveryClaimBy(recovery.effectiveAt, command.claimWindowHours);
  if (command.agentRole === 'SUPER_ADMIN' && command.now < claimBy) {
    refuse('CONFLICT', 'NOT_DUE', `${quoted(recovery.agentId)} is still a SUPER_ADMIN: recovery ${recovery.recoveryId} waits for their key request until ${claimBy}, and lapses then.`, {
      lapsesAt: claimBy,
    });
  }
  const reason = command.agentRole === 'SUPER_ADMIN' ? 'UNCLAIMED' : command.agentRole === undefined ? 'AGENT_REMOVED' : 'AGENT_DEMOTED';
  return [{ type: 'RecoveryLapsed', data: { recoveryId: recovery.recoveryId, agentId: recovery.agentId, reason } }];
}

function withRecovery(state: RecoveryState, recoveryId: string, change: Partial<RecoveryEntry>): RecoveryState {
  const recovery = state.recoveries.get(recoveryId);
  if (!recovery) return state;
  return { ...state, recoveries: new Map(state.recoveries).set(recoveryId, { ...recovery, ...change }) };
}

/** One org's break-glass recoveries (R20). */
export const recoveryDecider: Decider<RecoveryCommand, RecoveryState, RecoveryEvent> = {
  initialState: initialRecoveryState,
  events: RECOVERY_EVENTS,

  decide(command, state) {
    switch (command.type) {
      case 'StartRecovery':
        return { events: startRecovery(command, state) };
      case 'RemindOfRecovery':
        return { events: remind(command, state) };
      case 'VetoRecovery':
        return { events: veto(command, state) };
      case 'CompleteRecovery':
        return { events: complete(command, state) };
      case 'LapseRecovery':
        return { events: lapse(command, state) };
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'RecoveryStarted': {
        const { recoveryId, agentId, startedAt, effectiveAt, remindAt, delayHours, withWorkingApprover } = event.data;
        const entry: RecoveryEntry = { recoveryId, agentId, status: 'RUNNING', startedAt, effectiveAt, remindAt, delayHours, withWorkingApprover, reminded: false };
        return { ...state, recoveries: new Map(state.recoveries).set(recoveryId, entry), latestId: recoveryId };
      }
      case 'RecoveryReminderSent':
        return withRecovery(state, event.data.recoveryId, { reminded: true });
      case 'RecoveryVetoed':
        return {
          ...withRecovery(state, event.data.recoveryId, { status: 'VETOED', vetoedBy: event.data.vetoedBy }),
          usedNonces: withUsedNonce(state.usedNonces, event.data.decision.statement),
        };
      case 'RecoveryCompleted':
        return withRecovery(state, event.data.recoveryId, { status: 'COMPLETED', requestId: event.data.requestId });
      case 'RecoveryLapsed':
        return withRecovery(state, event.data.recoveryId, { status: 'LAPSED', lapseReason: event.data.reason });
    }
  },
};
