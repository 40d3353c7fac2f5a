import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { recoveryDecider } from '../../domain/recovery/recovery.decider';
import type { RecoveryEntry } from '../../domain/recovery/recovery.state';
import { newId } from '../../shared/ids';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, guard, recordedAt } from '../event-writer';
import { Recoveries } from '../recoveries';

export interface StartedRecovery {
  recovery: RecoveryEntry;
  position: bigint;
}

/** R20: the operator starts a break-glass recovery of one SUPER_ADMIN of a locked-out org. */
export class StartRecoveryCommand extends Command<StartedRecovery> {
  constructor(
    readonly context: CommandContext,
    readonly agentId: string,
  ) {
    super();
  }
}

/**
 * Appends RecoveryStarted to the org's recovery stream at the revision decided on (one recovery at
 * a time), guarded by the org stream (the agent's role, the policy's delay) and the key streams
 * read to know whether an approver still holds an ACTIVE key (which doubles the delay). It starts
 * at the time its event is recorded, so the offline verifier finds the delay counted from there.
 */
@CommandHandler(StartRecoveryCommand)
export class StartRecoveryHandler implements ICommandHandler<StartRecoveryCommand> {
  constructor(
    private readonly directory: Directory,
    private readonly recoveries: Recoveries,
    private readonly writer: EventWriter,
  ) {}

  async execute({ context, agentId }: StartRecoveryCommand): Promise<StartedRecovery> {
    const recoveryId = `rc_${newId()}`;
    return retryOnConflict(async (freshSince) => {
      const org = await this.directory.org(context.orgId, freshSince);
      const recovery = await this.recoveries.load(context.orgId, freshSince);
      // Every approver counts, the agent to restore too (no agent has the empty id): one ACTIVE key doubles the delay.
      const working = await this.directory.activeApprovers(context.orgId, org.state, '', 1, freshSince);
      const read = [org, ...working.read].map(guard);
      const now = recordedAt(context.now, [recovery], read);
      const { events } = recoveryDecider.decide(
        {
          type: 'StartRecovery',
          recoveryId,
          agentId,
          agentRole: org.state.agents.get(agentId)?.role,
          recoveryDelayHours: org.state.policy.recoveryDelayHours,
          withWorkingApprover: working.count > 0,
          now,
        },
        recovery.state,
      );
      const position = (await this.writer.write({ ...context, now: new Date(now) }, decided(recovery, events), ...read))!;
      const state = recoveryDecider.evolve(recovery.state, events[0]);
      return { recovery: state.recoveries.get(recoveryId)!, position };
    });
  }
}
