import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import type { IdempotencyKey } from '../../application/idempotency';
import { Directory } from '../../application/directory';
import { CreateOrganizationCommand } from '../../application/use-cases/create-organization';
import { effectivePolicy } from '../../domain/organization/org-policy';
import { OperatorOnly } from '../../auth/access.decorators';
import { AGENT_ID_RESERVED, AgentEndpoint, Answers, INVALID_INPUT_OR_KEY, OperatorEndpoint, OrgScoped } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { Idempotency, IdempotencyKeyHeader } from '../idempotency-key.decorator';
import { RateLimited } from '../rate-limited.decorator';
import { createOrganizationSchema, type CreateOrganizationBody } from '../dto/organization.dto';
import { ValidBody } from '../valid-body.decorator';
import { OrganizationCreatedView, OrganizationView } from '../views/organization.view';

@ApiTags('organizations')
@Controller('v1/orgs')
export class OrganizationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: Directory,
  ) {}

  @Post()
  @HttpCode(201)
  @OperatorOnly()
  @RateLimited('orgs_per_address')
  @IdempotencyKeyHeader()
  @OperatorEndpoint(
    'createOrganization',
    'Create an organization and its first SUPER_ADMIN (operator bootstrap token)',
    Answers(201, OrganizationCreatedView, 'Created (or, for a retry with the same Idempotency-Key, created by its first request)'),
    INVALID_INPUT_OR_KEY,
    [422, 'The Idempotency-Key was already used for another request (IDEMPOTENCY_KEY_REUSED)', 'IDEMPOTENCY_KEY_REUSED'],
    AGENT_ID_RESERVED,
  )
  async create(@Ctx() context: CommandContext, @Idempotency() idempotency: IdempotencyKey | undefined, @ValidBody(createOrganizationSchema) body: CreateOrganizationBody) {
    const policy = effectivePolicy(body.policy ?? {});
    const created = await this.commands.execute(new CreateOrganizationCommand(context, body.name, body.superAdmin, policy, idempotency));
    return { orgId: created.orgId, position: String(created.position) };
  }

  @Get(':orgId')
  @OrgScoped()
  @AgentEndpoint('getOrganization', 'The organization and its policy (any member)', Answers(200, OrganizationView, 'The organization'))
  async get(@Ctx() context: CommandContext, @Param('orgId') orgId: string) {
    const { org } = await this.directory.actor(orgId, context.actor);
    return { orgId, name: org.state.name, policy: org.state.policy, agents: org.state.agents.size, firstKeyAssigned: org.state.firstKey !== undefined };
  }
}
