import { Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { ChangeDirectoryCommand } from '../../application/use-cases/manage-agents';
import { RevokeKeyCommand } from '../../application/use-cases/revoke-key';
import { AGENT_ID_RESERVED, AgentEndpoint, AgentParam, Answers, OrgScoped, WritesOrgLog } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { revokeKeySchema, type RevokeKeyBody } from '../dto/key-request.dto';
import { addAgentSchema, changeRoleSchema, type AddAgentBody, type ChangeRoleBody } from '../dto/organization.dto';
import { ValidBody } from '../valid-body.decorator';
import { RateLimited } from '../rate-limited.decorator';
import { PositionView } from '../views/position.view';

const positioned = (result: { position?: bigint }) => ({ position: result.position === undefined ? null : String(result.position) });

@ApiTags('agents')
@OrgScoped()
@Controller('v1/orgs/:orgId/agents')
export class AgentsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @WritesOrgLog()
  @AgentEndpoint('addAgent', 'Add an agent with a role (SUPER_ADMIN)', Answers(201, PositionView, 'Added'), [409, 'The agent already exists, or one whose id differs only in case (AGENT_ID_TAKEN_IN_OTHER_CASE)', 'AGENT_EXISTS'], AGENT_ID_RESERVED)
  async add(@Ctx() context: CommandContext, @ValidBody(addAgentSchema) body: AddAgentBody) {
    const { role, ...agent } = body;
    return positioned(await this.commands.execute(new ChangeDirectoryCommand(context, { kind: 'add', agent, role })));
  }

  @Patch(':agentId')
  @AgentParam()
  @RateLimited('role_changes_per_agent')
  @WritesOrgLog()
  @AgentEndpoint('changeAgentRole', "Change an agent's role (SUPER_ADMIN); takes effect at once, and ends a running recovery of a SUPER_ADMIN given another role (R20). A demotion of an approver holding an ACTIVE key mails the org's approvers, so a SUPER_ADMIN makes at most RATE_LIMIT_ROLE_CHANGES_PER_AGENT changes (over it, a 429 RATE_LIMITED with `limit` role_changes_per_agent)", Answers(200, PositionView, 'Changed'), [
    409,
    "The last SUPER_ADMIN cannot be demoted; a MEMBER holding an ACTIVE key is not made ADMIN or SUPER_ADMIN while the policy asks more approvals for their key than activated it (KEY_BELOW_ADMIN_THRESHOLD, R20): revoke the key first",
    'LAST_SUPER_ADMIN',
  ])
  async changeRole(@Ctx() context: CommandContext, @Param('agentId') agentId: string, @ValidBody(changeRoleSchema) body: ChangeRoleBody) {
    return positioned(await this.commands.execute(new ChangeDirectoryCommand(context, { kind: 'changeRole', agentId, role: body.role })));
  }

  @Delete(':agentId')
  @AgentParam()
  @WritesOrgLog()
  @AgentEndpoint('removeAgent', 'Remove an agent (SUPER_ADMIN): revokes their key, cancels their pending request (R9) and ends a running recovery of theirs (R20)', Answers(200, PositionView, 'Removed'), [
    409,
    'The last SUPER_ADMIN cannot be removed',
    'LAST_SUPER_ADMIN',
  ])
  async remove(@Ctx() context: CommandContext, @Param('agentId') agentId: string) {
    return positioned(await this.commands.execute(new ChangeDirectoryCommand(context, { kind: 'remove', agentId })));
  }

  @Delete(':agentId/key')
  @AgentParam()
  @WritesOrgLog()
  @AgentEndpoint('revokeKey', "Revoke an agent's ACTIVE key with a reason (ADMIN, SUPER_ADMIN)", Answers(200, PositionView, 'Revoked'), [
    409,
    'The agent has no ACTIVE key',
    'NO_ACTIVE_KEY',
  ])
  async revoke(@Ctx() context: CommandContext, @Param('agentId') agentId: string, @ValidBody(revokeKeySchema) body: RevokeKeyBody) {
    return positioned(await this.commands.execute(new RevokeKeyCommand(context, agentId, body.reason)));
  }
}
