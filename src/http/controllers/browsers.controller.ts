import { Controller, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import type { IdempotencyKey } from '../../application/idempotency';
import { BrowserActionCommand } from '../../application/use-cases/browser-actions';
import { AgentEndpoint, AgentParam, Answers, BrowserParam, INVALID_INPUT_OR_KEY, OrgScoped, WritesOrgLog } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { Idempotency, IdempotencyKeyHeader } from '../idempotency-key.decorator';
import { RateLimited } from '../rate-limited.decorator';
import { setPromptFrequencySchema, type SetPromptFrequencyBody } from '../dto/browser.dto';
import { ValidBody } from '../valid-body.decorator';
import { PromptFrequencyView } from '../views/browser.view';

@ApiTags('browsers')
@OrgScoped()
@AgentParam()
@BrowserParam()
@Controller('v1/orgs/:orgId/agents/:agentId/browsers/:browserId')
export class BrowsersController {
  constructor(private readonly commands: CommandBus) {}

  @Put('prompt-frequency')
  @RateLimited('browser_actions_per_agent')
  @WritesOrgLog()
  @AgentEndpoint(
    'setPromptFrequency',
    'Set how often this browser prompts for my key (self; signed by my key) (R10)',
    Answers(200, PromptFrequencyView, 'Set; for a retry with the same Idempotency-Key, what its first request answered'),
    INVALID_INPUT_OR_KEY,
    [409, 'No ACTIVE key to sign with', 'NO_ACTIVE_KEY'],
    [422, 'Bad signature, a challenge expired, replayed or binding something else, or the Idempotency-Key was already used for another request (IDEMPOTENCY_KEY_REUSED)', 'INVALID_SIGNATURE'],
  )
  @IdempotencyKeyHeader()
  async setPromptFrequency(
    @Ctx() context: CommandContext,
    @Param('agentId') agentId: string,
    @Param('browserId') browserId: string,
    @Idempotency() idempotency: IdempotencyKey | undefined,
    @ValidBody(setPromptFrequencySchema) body: SetPromptFrequencyBody,
  ) {
    const action = { kind: 'setPromptFrequency' as const, frequency: body.frequency, challengeId: body.challengeId, signature: body.signature };
    const { position } = await this.commands.execute(new BrowserActionCommand(context, agentId, browserId, action, idempotency));
    return { frequency: body.frequency, position: String(position) };
  }

  @Post('logout')
  @HttpCode(200)
  @RateLimited('browser_actions_per_agent')
  @WritesOrgLog()
  @AgentEndpoint('logoutBrowser', 'Log out of this browser: its prompt frequency goes back to EVERY_TASK (self)', Answers(200, PromptFrequencyView, 'Logged out'))
  async logout(@Ctx() context: CommandContext, @Param('agentId') agentId: string, @Param('browserId') browserId: string) {
    const { position } = await this.commands.execute(new BrowserActionCommand(context, agentId, browserId, { kind: 'logout' }));
    return { frequency: 'EVERY_TASK', position: String(position) };
  }
}
