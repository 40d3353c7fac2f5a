import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { ChangeDirectoryCommand } from '../../application/use-cases/manage-agents';
import { RevokeKeyCommand } from '../../application/use-cases/revoke-key';
import { AgentEndpoint } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { RevokeKeyDto } from '../dto/key-request.dto';
import { AddAgentDto, ChangeRoleDto } from '../dto/organization.dto';
import { IdPipe } from '../id.pipe';

const positioned = (result: { position?: bigint }) => ({ position: result.position === undefined ? null : String(result.position) });

@ApiTags('agents')
@Controller('v1/orgs/:orgId/agents')
export class AgentsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @AgentEndpoint([409, 'The agent already exists'])
  @ApiOperation({ summary: 'Add an agent with a role (SUPER_ADMIN)' })
  async add(@Ctx() context: CommandContext, @Body() body: AddAgentDto) {
    const { role, ...agent } = body;
    return positioned(await this.commands.execute(new ChangeDirectoryCommand(context, { kind: 'add', agent, role })));
  }

  @Patch(':agentId')
  @AgentEndpoint([409, 'The last SUPER_ADMIN cannot be demoted'])
  @ApiOperation({ summary: "Change an agent's role (SUPER_ADMIN); takes effect at once" })
  async changeRole(@Ctx() context: CommandContext, @Param('agentId', IdPipe) agentId: string, @Body() body: ChangeRoleDto) {
    return positioned(await this.commands.execute(new ChangeDirectoryCommand(context, { kind: 'changeRole', agentId, role: body.role })));
  }

  @Delete(':agentId')
  @AgentEndpoint([409, 'The last SUPER_ADMIN cannot be removed'])
  @ApiOperation({ summary: 'Remove an agent (SUPER_ADMIN): revokes their key and cancels their pending request (R9)' })
  async remove(@Ctx() context: CommandContext, @Param('agentId', IdPipe) agentId: string) {
    return positioned(await this.commands.execute(new ChangeDirectoryCommand(context, { kind: 'remove', agentId })));
  }

  @Delete(':agentId/key')
  @AgentEndpoint([409, 'The agent has no ACTIVE key'])
  @ApiOperation({ summary: "Revoke an agent's ACTIVE key with a reason (ADMIN, SUPER_ADMIN)" })
  async revoke(@Ctx() context: CommandContext, @Param('agentId', IdPipe) agentId: string, @Body() body: RevokeKeyDto) {
    return positioned(await this.commands.execute(new RevokeKeyCommand(context, agentId, body.reason)));
  }
}
