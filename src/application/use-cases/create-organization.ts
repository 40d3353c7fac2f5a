import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { NewAgent } from '../../domain/organization/organization.commands';
import { organizationDecider } from '../../domain/organization/organization.decider';
import type { OrgPolicy } from '../../domain/organization/organization.events';
import { orgStream } from '../../domain/streams';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { newId } from '../../shared/ids';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { decided, EventWriter } from '../event-writer';
import { type IdempotencyKey, KeyedCommand, positionOf } from '../idempotency';
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
    readonly idempotency?: IdempotencyKey,
  ) {
    super();
  }
}

/** With an Idempotency-Key the org is named after it: a retry finds the org its first request created and answers as it did. */
@CommandHandler(CreateOrganizationCommand)
export class CreateOrganizationHandler implements ICommandHandler<CreateOrganizationCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: StreamStates,
    private readonly writer: EventWriter,
  ) {}

  async execute({ context, name, superAdmin, policy, idempotency }: CreateOrganizationCommand): Promise<CreatedOrganization> {
    const keyed = idempotency && new KeyedCommand(`create-organization\n${context.actor}`, idempotency);
    const orgId = keyed?.resourceId ?? newId();
    return retryOnConflict(async (freshSince) => {
      const org = await this.states.load(orgStream(orgId), organizationDecider, freshSince);
      if (keyed && org.expected !== 'no_stream') {
        return { orgId, position: positionOf(keyed.ownEvents(await this.store.readStream(orgStream(orgId), 0n, { freshSince }))) };
      }
      const { events } = organizationDecider.decide({ type: 'CreateOrganization', orgId, name, policy, superAdmin }, org.state);
      const position = await this.writer.write({ ...context, orgId, eventId: keyed?.eventId }, decided(org, events));
      return { orgId, position: position! };
    });
  }
}
