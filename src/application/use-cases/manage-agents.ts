import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { NewAgent, OrganizationCommand } from '../../domain/organization/organization.commands';
import { organizationDecider } from '../../domain/organization/organization.decider';
import type { Role } from '../../domain/shared/roles';
import { keyReleaseFor } from '../../domain/signature-key/key-release';
import { keyDecider } from '../../domain/signature-key/key.decider';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter } from '../event-writer';

export type AgentChange =
  | { kind: 'add'; agent: NewAgent; role: Role }
  | { kind: 'changeRole'; agentId: string; role: Role }
  | { kind: 'remove'; agentId: string };

/** SUPER_ADMIN manages the directory (R1); removing an agent, or making them an AUDITOR, also releases their keys (R9, R18). */
export class ChangeDirectoryCommand extends Command<{ position?: bigint }> {
  constructor(
    readonly context: CommandContext,
    readonly change: AgentChange,
  ) {
    super();
  }
}

@CommandHandler(ChangeDirectoryCommand)
export class ChangeDirectoryHandler implements ICommandHandler<ChangeDirectoryCommand> {
  constructor(
    private readonly directory: Directory,
    private readonly writer: EventWriter,
  ) {}

  execute({ context, change }: ChangeDirectoryCommand): Promise<{ position?: bigint }> {
    return retryOnConflict(async (freshSince) => {
      const org = await this.directory.org(context.orgId, freshSince);
      const actorId = context.actor;
      const command: OrganizationCommand =
        change.kind === 'add'
          ? { type: 'AddAgent', actorId, agent: change.agent, role: change.role }
          : change.kind === 'changeRole'
            ? { type: 'ChangeAgentRole', actorId, agentId: change.agentId, role: change.role }
            : { type: 'RemoveAgent', actorId, agentId: change.agentId };
      const { events: orgEvents } = organizationDecider.decide(command, org.state);
      const release = orgEvents.map(keyReleaseFor).find((found) => found !== undefined);
      if (!release) return { position: await this.writer.write(context, decided(org, orgEvents)) };
      // The directory change and the release of the agent's keys commit together, or not at all.
      const keys = await this.directory.keys(context.orgId, release.agentId, freshSince);
      const { events: keyEvents } = keyDecider.decide(
        { type: 'ReleaseAgentKeys', actorId, reason: release.reason, now: context.now.toISOString() },
        keys.state,
      );
      return { position: await this.writer.write(context, decided(org, orgEvents), decided(keys, keyEvents)) };
    });
  }
}
