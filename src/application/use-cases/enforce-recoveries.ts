import { recoveryDecider } from '../../domain/recovery/recovery.decider';
import { DomainRefusal } from '../../domain/shared/refusal';
import { keyDecider } from '../../domain/signature-key/key.decider';
import { newId } from '../../shared/ids';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import type { Directory } from '../directory';
import { guard, type EventWriter } from '../event-writer';
import type { Recoveries } from '../recoveries';
import { POLICY_ACTOR } from './enforce-request-deadlines';

/** A running recovery the scheduler found with its reminder or effect due. */
export interface DueRecovery {
  orgId: string;
  recoveryId: string;
}

/** Refusals that mean "not yet": the agent has no PENDING request (or is not a SUPER_ADMIN now); the next pass tries again. */
const NOT_READY = new Set(['NO_PENDING_REQUEST', 'NOT_SUPER_ADMIN']);

/**
 * R20: completes a running recovery once its delay passed, or reminds the approvers halfway,
 * through the recovery and key deciders. A completion grants the agent's PENDING key request
 * (mode RECOVERY) and records RecoveryCompleted in one append, at the revisions of both streams
 * decided on and guarded by the org stream: a veto racing it conflicts, and whichever loses
 * decides again; racing schedulers record each reminder and completion once.
 */
export class EnforceRecoveries {
  constructor(
    private readonly recoveries: Recoveries,
    private readonly directory: Directory,
    private readonly writer: EventWriter,
  ) {}

  run({ orgId, recoveryId }: DueRecovery, now: Date): Promise<'COMPLETED' | 'REMINDED' | undefined> {
    return retryOnConflict(async () => {
      const recovery = await this.recoveries.load(orgId);
      const entry = recovery.state.recoveries.get(recoveryId);
      if (entry?.status !== 'RUNNING') return undefined;
      const at = now.toISOString();
      const commandId = newId();
      const context: CommandContext = { actor: POLICY_ACTOR, orgId, correlationId: commandId, commandId, now };
      if (at >= entry.effectiveAt) {
        const org = await this.directory.org(orgId);
        const keys = await this.directory.keys(orgId, entry.agentId);
        const pendingId = keys.state.pendingRequestId;
        const pending = pendingId === undefined ? undefined : keys.state.requests.get(pendingId);
        try {
          const completed = recoveryDecider.decide(
            {
              type: 'CompleteRecovery',
              recoveryId,
              agentRole: org.state.agents.get(entry.agentId)?.role,
              ...(pending && { pendingRequest: { requestId: pending.requestId, fingerprint: pending.fingerprint } }),
              now: at,
            },
            recovery.state,
          );
          const granted = keyDecider.decide({ type: 'GrantRecoveredKey', recoveryId, requestId: pending!.requestId }, keys.state);
          // The key stream first: the verifier finds the grant while the recovery still runs, then its completion naming it.
          await this.writer.write(context, { ...keys, events: granted.events }, { ...recovery, events: completed.events }, guard(org));
          return 'COMPLETED';
        } catch (error) {
          if (!(error instanceof DomainRefusal && NOT_READY.has(error.code))) throw error;
        }
      }
      if (at < entry.remindAt || entry.reminded) return undefined;
      const { events } = recoveryDecider.decide({ type: 'RemindOfRecovery', recoveryId, now: at }, recovery.state);
      await this.writer.write(context, { ...recovery, events });
      return 'REMINDED';
    });
  }
}
