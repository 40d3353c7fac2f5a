import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { NewAgent } from '../../domain/organization/organization.commands';
import { organizationDecider } from '../../domain/organization/organization.decider';
import type { OrgPolicy } from '../../domain/organization/organization.events';
import { orgStream } from '../../domain/streams';
import { newId } from '../../shared/ids';
import type { CommandContext } from '../command-context';
import { decided, EventWriter } from '../event-writer';
import { StreamStates } from '../stream-states';

export interface CreatedOrganization {
  orgId: string;
  position: bigint;
}

export class CreateOrganizationCommand extends Command<CreatedOrganization> {
  constructor(
    readonly context: Omit<CommandContext, 'orgId'>,
    readonly name: string,
    readonly superAdmin: NewAgent,
    readonly policy: OrgPolicy,
  ) {
    super();
  }
}

@CommandHandler(CreateOrganizationCommand)
export class CreateOrganizationHandler implements ICommandHandler<CreateOrganizationCommand> {
  constructor(
    private readonly states: StreamStates,
    private readonly writer: EventWriter,
  ) {}

  async execute({ context, name, superAdmin, policy }: CreateOrganizationCommand): Promise<CreatedOrganization> {
    const orgId = newId();
    const org = await this.states.load(orgStream(orgId), organizationDecider);
    const { events } = organizationDecider.decide({ type: 'CreateOrganization', orgId, name, policy, superAdmin }, org.state);
    const position = await this.writer.write({ ...context, orgId }, decided(org, events));
    return { orgId, position: position! };
  }
}
