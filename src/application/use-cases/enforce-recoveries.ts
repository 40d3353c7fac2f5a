import { POLICY_ACTOR } from '../../domain/shared/actor';
import { roleOf } from '../../domain/organization/organization.state';
import { recoveryClaimBy, recoveryDecider } from '../../domain/recovery/recovery.decider';
import { DomainRefusal } from '../../domain/shared/refusal';
import { keyDecider } from '../../domain/signature-key/key.decider';
import { newId } from '../../shared/ids';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import type { Directory } from '../directory';
import { decided, guard, recordedAt, type EventWriter } from '../event-writer';
import type { Recoveries } from '../recoveries';

/**
 * Refusals of a completion that a later pass lifts: a key request of the agent, or (the grant
 * recorded after the claim window though the pass began inside it) the lapse the next pass records.
 */
const NOT_YET = new Set(['NO_PENDING_REQUEST', 'REQUEST_EXPIRED', 'CLAIM_WINDOW_ENDED']);

/** A running recovery the scheduler found. */
export interface DueRecovery {
  orgId: string;
  recoveryId: string;
}

/**
 * R20: lapses a running recovery whose agent is no longer a SUPER_ADMIN, or whose claim window
 * after effectiveAt ended without a grant (UNCLAIMED), completes one once its delay passed, or
 * reminds the approvers halfway, through the recovery and key deciders. A lapse for a demotion or
 * removal comes as soon as a pass sees it, not at effectiveAt: the recovery can never complete,
 * and while it runs no other may start, so waiting would only keep the org locked out longer (and
 * its approvers uninformed). It is appended at the recovery stream's revision, guarded by the org
 * stream the role and the policy's claim window were read from, so a re-promotion or a policy
 * change racing it makes it decide again. A completion grants the agent's PENDING key request
 * (mode RECOVERY) and records RecoveryCompleted in one append, at the revisions of both streams
 * decided on and guarded by the org stream: a veto racing it conflicts, and whichever loses
 * decides again; racing schedulers record each lapse, reminder and completion once.
 */
export class EnforceRecoveries {
  constructor(
    private readonly recoveries: Recoveries,
    private readonly directory: Directory,
    private readonly writer: EventWriter,
  ) {}

  run({ orgId, recoveryId }: DueRecovery, now: Date): Promise<'LAPSED' | 'COMPLETED' | 'REMINDED' | undefined> {
    return retryOnConflict(async (freshSince) => {
      const recovery = await this.recoveries.load(orgId, freshSince);
      const entry = recovery.state.recoveries.get(recoveryId);
      if (entry?.status !== 'RUNNING') return undefined;
      const at = now.toISOString();
      const commandId = newId();
      const context: CommandContext = { actor: POLICY_ACTOR, orgId, correlationId: commandId, commandId, now };
      const org = await this.directory.org(orgId, freshSince);
      const agentRole = roleOf(org.state, entry.agentId);
      const claimWindowHours = org.state.policy.pendingRequestExpiryHours;
      if (agentRole !== 'SUPER_ADMIN' || at >= recoveryClaimBy(entry.effectiveAt, claimWindowHours)) {
        const { events } = recoveryDecider.decide({ type: 'LapseRecovery', recoveryId, agentRole, claimWindowHours, now: at }, recovery.state);
        await this.writer.write(context, decided(recovery, events), guard(org));
        return 'LAPSED';
      }
      if (at >= entry.effectiveAt) {
        const keys = await this.directory.keys(orgId, entry.agentId, freshSince);
        const pendingId = keys.state.pendingRequestId;
        const pending = pendingId === undefined ? undefined : keys.state.requests.get(pendingId);
        // The grant is decided at the time it is recorded: the request's expiry is checked there.
        const grantedAt = recordedAt(now, [keys, recovery], [org]);
        try {
          const completed = recoveryDecider.decide(
            {
              type: 'CompleteRecovery',
              recoveryId,
              agentRole,
              ...(pending && { pendingRequest: { requestId: pending.requestId, fingerprint: pending.fingerprint } }),
              claimWindowHours,
              now: grantedAt,
            },
            recovery.state,
          );
          const granted = keyDecider.decide({ type: 'GrantRecoveredKey', recoveryId, requestId: pending!.requestId, policy: org.state.policy, now: grantedAt }, keys.state);
          // The key stream first: the verifier finds the grant while the recovery still runs, then its completion naming it.
          await this.writer.write(context, decided(keys, granted.events), decided(recovery, completed.events), guard(org));
          return 'COMPLETED';
        } catch (error) {
          // "Not yet": the agent has no PENDING request, or only one past its expiry (which the request
          // deadlines record); the next pass tries again, once the agent requested a key again, or lapses it.
          if (!(error instanceof DomainRefusal && NOT_YET.has(error.code))) throw error;
        }
      }
      if (at < entry.remindAt || entry.reminded) return undefined;
      const { events } = recoveryDecider.decide({ type: 'RemindOfRecovery', recoveryId, now: at }, recovery.state);
      await this.writer.write(context, decided(recovery, events));
      return 'REMINDED';
    });
  }
}
