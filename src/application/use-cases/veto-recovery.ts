import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { recoveryDecider } from '../../domain/recovery/recovery.decider';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, guard, recordedAt } from '../event-writer';
import { Proofs } from '../proofs';
import { Recoveries } from '../recoveries';

/** R20: an ADMIN or SUPER_ADMIN with an ACTIVE key vetoes a running recovery, signed. */
export class VetoRecoveryCommand extends Command<{ position: bigint }> {
  constructor(
    readonly context: CommandContext,
    readonly recoveryId: string,
    readonly challengeId: string,
    readonly signature: string,
  ) {
    super();
  }
}

/**
 * Appends RecoveryVetoed at the recovery stream's revision decided on (a completion racing it
 * conflicts, and the loser decides again), guarded by the org stream (the vetoer's role) and the
 * vetoer's key stream (their ACTIVE key), as every signed decision is (R17).
 */
@CommandHandler(VetoRecoveryCommand)
export class VetoRecoveryHandler implements ICommandHandler<VetoRecoveryCommand> {
  constructor(
    private readonly directory: Directory,
    private readonly recoveries: Recoveries,
    private readonly proofs: Proofs,
    private readonly writer: EventWriter,
  ) {}

  async execute({ context, recoveryId, challengeId, signature }: VetoRecoveryCommand): Promise<{ position: bigint }> {
    const proof = await this.proofs.open(challengeId, signature);
    return retryOnConflict(async (freshSince) => {
      const { org, actor, keys } = await this.directory.actor(context.orgId, context.actor, freshSince);
      const recovery = await this.recoveries.load(context.orgId, freshSince);
      // Decided at the time it is recorded (the last event's of the recovery stream or of a stream it read, if this instance's clock is behind it), as the offline verifier checks its challenge.
      const { events } = recoveryDecider.decide(
        { type: 'VetoRecovery', orgId: context.orgId, recoveryId, approver: actor, proof, now: recordedAt(context.now, [recovery], [org, keys]) },
        recovery.state,
      );
      const position = (await this.writer.write(context, decided(recovery, events), guard(org), guard(keys)))!;
      return { position };
    });
  }
}
