import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { NewAgent, OrganizationCommand } from '../../domain/organization/organization.commands';
import { organizationDecider } from '../../domain/organization/organization.decider';
import { roleOf } from '../../domain/organization/organization.state';
import { recoveryDecider } from '../../domain/recovery/recovery.decider';
import { runningRecovery } from '../../domain/recovery/recovery.state';
import { fold } from '../../domain/shared/decider';
import type { Role } from '../../domain/shared/roles';
import { keyReleaseFor } from '../../domain/signature-key/key-release';
import { keyDecider } from '../../domain/signature-key/key.decider';
import { activeKeyApprovals } from '../../domain/signature-key/key.state';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, type Decision, EventWriter } from '../event-writer';
import { Recoveries } from '../recoveries';

export type AgentChange =
  | { kind: 'add'; agent: NewAgent; role: Role }
  | { kind: 'changeRole'; agentId: string; role: Role }
  | { kind: 'remove'; agentId: string };

/**
 * SUPER_ADMIN manages the directory (R1); removing an agent, or making them an AUDITOR, also
 * releases their keys (R9, R18); removing or demoting the SUPER_ADMIN a running recovery restores
 * ends that recovery (R20).
 */
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
    private readonly recoveries: Recoveries,
    private readonly writer: EventWriter,
  ) {}

  execute({ context, change }: ChangeDirectoryCommand): Promise<{ position?: bigint }> {
    return retryOnConflict(async (freshSince) => {
      const org = await this.directory.org(context.orgId, freshSince);
      const actorId = context.actor;
      // The agent's key stream: a removal or a change to AUDITOR releases their keys, and a promotion
      // is decided on whether they hold an ACTIVE key (R20), so it is guarded in every case.
      const agentKeys = change.kind === 'add' ? undefined : await this.directory.keys(context.orgId, change.agentId, freshSince);
      const command: OrganizationCommand =
        change.kind === 'add'
          ? { type: 'AddAgent', actorId, agent: change.agent, role: change.role }
          : change.kind === 'changeRole'
            ? { type: 'ChangeAgentRole', actorId, agentId: change.agentId, role: change.role, agentKey: activeKeyApprovals(agentKeys!.state) }
            : { type: 'RemoveAgent', actorId, agentId: change.agentId };
      const { events: orgEvents } = organizationDecider.decide(command, org.state);
      const decisions: Decision[] = [decided(org, orgEvents)];
      if (agentKeys) {
        // The directory change and the release of the agent's keys commit together, or not at all.
        const release = orgEvents.map(keyReleaseFor).find((found) => found !== undefined);
        const keyEvents = release
          ? keyDecider.decide({ type: 'ReleaseAgentKeys', actorId, reason: release.reason, now: context.now.toISOString() }, agentKeys.state).events
          : [];
        decisions.push(decided(agentKeys, keyEvents));
      }
      if (change.kind !== 'add') {
        // R20: a recovery restores one SUPER_ADMIN membership. Once it is gone it lapses in this commit,
        // so that an agent removed and added again, or demoted and promoted again, between two scheduler
        // passes is not restored by a recovery the approvers were told of for the one before. The
        // recovery stream guards the append whether or not it lapses: a recovery started meanwhile decides again.
        const recovery = await this.recoveries.load(context.orgId, freshSince);
        const agentRole = roleOf(fold(organizationDecider, orgEvents, org.state), change.agentId);
        const ended = runningRecovery(recovery.state)?.agentId === change.agentId && agentRole !== 'SUPER_ADMIN';
        const lapse = ended
          ? recoveryDecider.decide(
              { type: 'LapseRecovery', recoveryId: recovery.state.latestId!, agentRole, claimWindowHours: org.state.policy.pendingRequestExpiryHours, now: context.now.toISOString() },
              recovery.state,
            ).events
          : [];
        decisions.push(decided(recovery, lapse));
      }
      return { position: await this.writer.write(context, ...decisions) };
    });
  }
}
