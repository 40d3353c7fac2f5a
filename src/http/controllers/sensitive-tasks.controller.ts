import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import type { IdempotencyKey } from '../../application/idempotency';
import { BrowserActionCommand } from '../../application/use-cases/browser-actions';
import { AgentEndpoint, Answers, INVALID_INPUT_OR_KEY, OrgScoped, WritesOrgLog } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { Idempotency, IdempotencyKeyHeader } from '../idempotency-key.decorator';
import { RateLimited } from '../rate-limited.decorator';
import { sensitiveTaskSchema, type SensitiveTaskBody } from '../dto/browser.dto';
import { ValidBody } from '../valid-body.decorator';
import { TaskAuthorizationView } from '../views/browser.view';
import { PromptRequiredProblem } from '../views/problem.view';

@ApiTags('sensitive tasks')
@OrgScoped()
@Controller('v1/orgs/:orgId/sensitive-tasks')
export class SensitiveTasksController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @RateLimited('browser_actions_per_agent')
  @WritesOrgLog()
  @AgentEndpoint(
    'authorizeSensitiveTask',
    'Authorize a sensitive task from a browser (R11); 401 with promptRequired when a signature is needed',
    Answers(200, TaskAuthorizationView, 'Authorized (recorded in the audit log); for a retry with the same Idempotency-Key, what its first request answered'),
    INVALID_INPUT_OR_KEY,
    [401, 'A fresh signature is required (promptRequired), or no ACTIVE key; the refusal is audited', 'PROMPT_REQUIRED', PromptRequiredProblem, { promptRequired: true, position: '42' }],
    [403, 'The caller is not a member, or is an AUDITOR, who signs nothing (R18; that refusal is audited)', 'AUDITOR_CANNOT_HOLD_KEY'],
    [422, 'The challenge is expired, replayed or binds something else, or the Idempotency-Key was already used for another request (IDEMPOTENCY_KEY_REUSED)', 'CHALLENGE_EXPIRED'],
  )
  @IdempotencyKeyHeader()
  async authorize(@Ctx() context: CommandContext, @Idempotency() idempotency: IdempotencyKey | undefined, @ValidBody(sensitiveTaskSchema) body: SensitiveTaskBody) {
    const action = { kind: 'authorizeTask' as const, task: body.task, challengeId: body.challengeId, signature: body.signature };
    const { authorization, position } = await this.commands.execute(new BrowserActionCommand(context, context.actor, body.browserId, action, idempotency));
    return { authorized: true, method: authorization!.method, validUntil: authorization!.validUntil, position: String(position) };
  }
}
