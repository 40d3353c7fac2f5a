import canonicalize from 'canonicalize';
import { fingerprint } from '../../crypto/public-key';
import { roleOf } from '../../domain/organization/organization.state';
import { recoveryClaimBy, recoveryDecider, recoveryDelayHours, recoveryTimes } from '../../domain/recovery/recovery.decider';
import type { RecoveryEvent } from '../../domain/recovery/recovery.events';
import type { RecoveryEntry } from '../../domain/recovery/recovery.state';
import { OPERATOR_ACTOR } from '../../domain/shared/actor';
import { isApproverRole } from '../../domain/shared/roles';
import type { KeyEvent } from '../../domain/signature-key/key.events';
import type { KeyRequestEntry } from '../../domain/signature-key/key.state';
import { refuseExpired } from '../../domain/signature-key/request-deadlines';
import { underRule } from './as-decided';
import { byScheduler } from './by-scheduler';
import { violation } from './log-violation';
import type { ReplayedOrg } from './replayed-org';
import type { Decoded } from './replayed-event';
import { checkStatement } from './signed-statement';

/** The recovery stream of one org, replayed, with the key each recovery grants (KeyReplay asks grant()). */
export class RecoveryReplay {
  /** R20: per recovery, the key request it granted (KeyApproved RECOVERY, recorded just before its RecoveryCompleted). */
  private readonly recoveryGrants = new Map<string, string>();

  constructor(private readonly replayed: ReplayedOrg) {}

  /**
   * R20 break-glass recovery: started by the operator for a SUPER_ADMIN then, with the policy's
   * delay (doubled exactly when an approver held an ACTIVE key then) counted from its own time;
   * reminded once, not before halfway; vetoed by an approver with an ACTIVE key then, signed;
   * completed not before it took effect nor once its claim window (the policy's request expiry
   * then, after effectiveAt) ended, naming the key request it granted with mode RECOVERY; lapsed
   * only once its agent was no longer a SUPER_ADMIN, or UNCLAIMED once that window ended, as the
   * decider decides it from the role and policy then. A lapsed recovery completes, grants, is vetoed or reminded no more; one whose agent
   * stopped being a SUPER_ADMIN while it ran completes, grants or is reminded no more, even where
   * its lapse is missing (a log written before the directory change lapsed it).
   */
  replay(event: Decoded<RecoveryEvent>): void {
    this.replayed.settleRelease(event);
    switch (event.type) {
      case 'RecoveryStarted': {
        const { recoveryId, agentId, startedAt, effectiveAt, remindAt, delayHours, withWorkingApprover } = event.data;
        if (event.actor !== OPERATOR_ACTOR) violation(`recovery ${recoveryId} was started by "${event.actor}", not by the operator`);
        const running = this.replayed.recoveries.latestId === undefined ? undefined : this.replayed.recoveries.recoveries.get(this.replayed.recoveries.latestId);
        if (running?.status === 'RUNNING') violation(`recovery ${recoveryId} started while recovery ${running.recoveryId} was running`);
        if (this.replayed.recoveries.recoveries.has(recoveryId)) violation(`recovery ${recoveryId} is started twice`);
        const role = roleOf(this.replayed.org, agentId);
        if (role !== 'SUPER_ADMIN') violation(`recovery ${recoveryId} restores "${agentId}", who was ${role ?? 'not in the org'} then, not a SUPER_ADMIN`);
        const working = [...this.replayed.org.approvers].some((approver) => this.replayed.keys.get(approver)?.active !== undefined);
        if (withWorkingApprover !== working) violation(`recovery ${recoveryId} says an approver ${withWorkingApprover ? 'had' : 'had no'} ACTIVE key, but ${working ? 'one had' : 'none had'}`);
        const expected = recoveryDelayHours(this.replayed.org.policy.recoveryDelayHours, working);
        if (delayHours !== expected) violation(`recovery ${recoveryId} waits ${delayHours} h, but the policy then gave ${expected} h`);
        if (Date.parse(startedAt) !== Date.parse(event.occurredAt)) violation(`recovery ${recoveryId} says it started at ${startedAt} but was recorded at ${event.occurredAt}`);
        const times = recoveryTimes(startedAt, delayHours);
        if (effectiveAt !== times.effectiveAt || remindAt !== times.remindAt) {
          violation(`recovery ${recoveryId} takes effect at ${effectiveAt} (reminder ${remindAt}), not ${delayHours} h after its start (${times.effectiveAt}, reminder ${times.remindAt})`);
        }
        break;
      }
      case 'RecoveryReminderSent': {
        const recovery = this.restoring(event.data.recoveryId, event.data.agentId, 'reminded of');
        if (recovery.reminded) violation(`the approvers were reminded of recovery ${recovery.recoveryId} twice`);
        if (Date.parse(event.occurredAt) < Date.parse(recovery.remindAt)) violation(`the approvers were reminded of recovery ${recovery.recoveryId} at ${event.occurredAt}, before ${recovery.remindAt}`);
        byScheduler(event);
        break;
      }
      case 'RecoveryVetoed': {
        const recovery = this.runningRecovery(event.data.recoveryId, event.data.agentId);
        const { vetoedBy, decision } = event.data;
        if (event.actor !== vetoedBy) violation(`the veto names "${vetoedBy}" but was recorded for "${event.actor}"`);
        const role = roleOf(this.replayed.org, vetoedBy);
        if (role === undefined || !isApproverRole(role)) violation(`"${vetoedBy}" vetoed recovery ${recovery.recoveryId} as ${role ?? 'a stranger to the org'}, not as an ADMIN or SUPER_ADMIN`);
        const key = this.replayed.requireActive(vetoedBy, fingerprint(decision.publicKey), `vetoed recovery ${recovery.recoveryId}`);
        checkStatement(event, decision, { purpose: 'RECOVERY_VETO', orgId: this.replayed.orgId, agentId: vetoedBy, recoveryId: recovery.recoveryId, recoveredAgentId: recovery.agentId }, key, this.replayed.recoveries.usedNonces);
        break;
      }
      case 'RecoveryCompleted': {
        const recovery = this.restoring(event.data.recoveryId, event.data.agentId, 'completed');
        if (Date.parse(event.occurredAt) < Date.parse(recovery.effectiveAt)) violation(`recovery ${recovery.recoveryId} completed at ${event.occurredAt}, before it took effect at ${recovery.effectiveAt}`);
        this.claimedInTime(recovery, event.occurredAt, 'completed');
        if (this.recoveryGrants.get(recovery.recoveryId) !== event.data.requestId) {
          violation(`recovery ${recovery.recoveryId} completed naming key request ${event.data.requestId}, which it did not grant`);
        }
        const granted = this.replayed.keys.get(recovery.agentId)?.requests.get(event.data.requestId);
        if (granted?.fingerprint !== event.data.fingerprint) violation(`recovery ${recovery.recoveryId} names key ${event.data.fingerprint}, not the key it granted`);
        byScheduler(event);
        break;
      }
      case 'RecoveryLapsed': {
        const recovery = this.runningRecovery(event.data.recoveryId, event.data.agentId);
        const agentRole = roleOf(this.replayed.org, recovery.agentId);
        // The decider compares instants as toISOString text: the log's may be written another way (no milliseconds).
        const decided = underRule(
          event,
          () =>
            recoveryDecider.decide(
              { type: 'LapseRecovery', recoveryId: recovery.recoveryId, agentRole, claimWindowHours: this.replayed.org.policy.pendingRequestExpiryHours, now: new Date(event.occurredAt).toISOString() },
              this.replayed.recoveries,
            ).events,
        );
        if (canonicalize([{ type: event.type, data: event.data }]) !== canonicalize(decided)) {
          violation(`recovery ${recovery.recoveryId} lapsed with ${canonicalize(event.data)}, but "${recovery.agentId}" was ${agentRole ?? 'not in the org'} then: ${canonicalize(decided[0]?.data)}`);
        }
        // Due then, by whom: the scheduler lapses it, or the directory change that ended it does, in its own commit.
        const endedBy = this.replayed.ended.get(recovery.recoveryId);
        if (event.actor !== endedBy) byScheduler(event, endedBy === undefined ? '' : ` or "${endedBy}", whose directory change ended it`);
        break;
      }
    }
    this.replayed.foldRecovery(event);
  }

  private runningRecovery(recoveryId: string, agentId: string): RecoveryEntry {
    const recovery = this.replayed.recoveries.recoveries.get(recoveryId) ?? violation(`recovery ${recoveryId} was never started`);
    if (recovery.status !== 'RUNNING') violation(`recovery ${recoveryId} was ${recovery.status}, not RUNNING, at that point`);
    if (recovery.agentId !== agentId) violation(`an event of recovery ${recoveryId} names "${agentId}", but it restores "${recovery.agentId}"`);
    return recovery;
  }

  /**
   * A running recovery that still restores the SUPER_ADMIN it was started for: one whose agent was
   * removed or demoted since ends there (the directory change lapses it in its commit), whatever
   * the directory says later, so an agent added or promoted again is not restored by it.
   */
  private restoring(recoveryId: string, agentId: string, what: string): RecoveryEntry {
    const recovery = this.runningRecovery(recoveryId, agentId);
    if (this.replayed.ended.has(recoveryId)) violation(`recovery ${recoveryId} was ${what} after "${agentId}" stopped being a SUPER_ADMIN while it ran, which ended it`);
    return recovery;
  }

  /** A recovery grants and completes only within its claim window, under the policy at that point. */
  private claimedInTime(recovery: RecoveryEntry, occurredAt: string, what: string): void {
    const claimBy = recoveryClaimBy(recovery.effectiveAt, this.replayed.org.policy.pendingRequestExpiryHours);
    if (Date.parse(occurredAt) >= Date.parse(claimBy)) violation(`recovery ${recovery.recoveryId} ${what} at ${occurredAt}, after its claim window ended at ${claimBy}`);
  }

  /**
   * R20: a RECOVERY grant is valid only for a recovery of this agent that was started, is not
   * vetoed nor completed, and had taken effect, within its claim window, the agent being a
   * SUPER_ADMIN then, of a request not past its expiry (R17).
   */
  grant(agentId: string, request: KeyRequestEntry, recoveryId: string, event: Decoded<Extract<KeyEvent, { type: 'KeyApproved' }>>): void {
    const recovery = this.replayed.recoveries.recoveries.get(recoveryId) ?? violation(`key request ${request.requestId} was granted by RECOVERY, but recovery ${recoveryId} was never started`);
    if (recovery.status !== 'RUNNING') violation(`key request ${request.requestId} was granted by recovery ${recoveryId}, which was ${recovery.status}`);
    if (recovery.agentId !== agentId) violation(`recovery ${recoveryId} restores "${recovery.agentId}", not "${agentId}"`);
    this.restoring(recoveryId, agentId, 'granted a key');
    if (this.recoveryGrants.has(recoveryId)) violation(`recovery ${recoveryId} granted a second key`);
    if (Date.parse(event.occurredAt) < Date.parse(recovery.effectiveAt)) {
      violation(`key request ${request.requestId} was granted by recovery ${recoveryId} at ${event.occurredAt}, before it took effect at ${recovery.effectiveAt}`);
    }
    this.claimedInTime(recovery, event.occurredAt, `granted key request ${request.requestId}`);
    const role = roleOf(this.replayed.org, agentId);
    if (role !== 'SUPER_ADMIN') violation(`recovery ${recoveryId} granted a key to "${agentId}", who was ${role ?? 'not in the org'} then, not a SUPER_ADMIN`);
    underRule(event, () => refuseExpired(request, this.replayed.org.policy, event.occurredAt));
    this.recoveryGrants.set(recoveryId, request.requestId);
  }
}
