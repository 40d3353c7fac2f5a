import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { keyDecider } from '../../domain/signature-key/key.decider';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, guard } from '../event-writer';

export class RevokeKeyCommand extends Command<{ position: bigint }> {
  constructor(
    readonly context: CommandContext,
    readonly agentId: string,
    readonly reason: string,
  ) {
    super();
  }
}

/** R9: an ADMIN or SUPER_ADMIN revokes an agent's ACTIVE key with a reason. */
@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand> {
  constructor(
    private readonly directory: Directory,
    private readonly writer: EventWriter,
  ) {}

  execute({ context, agentId, reason }: RevokeKeyCommand): Promise<{ position: bigint }> {
    return retryOnConflict(async (freshSince) => {
      const { org, actor } = await this.directory.actor(context.orgId, context.actor, freshSince);
      const keys = await this.directory.keys(context.orgId, agentId, freshSince);
      const agentIsMember = org.state.agents.has(agentId);
      const { events } = keyDecider.decide({ type: 'RevokeKey', orgId: context.orgId, actor, agentId, agentIsMember, reason, now: context.now.toISOString() }, keys.state);
      // Recorded only while the revoker is still an approver (and the agent a member): R17.
      return { position: (await this.writer.write(context, decided(keys, events), guard(org)))! };
    });
  }
}
