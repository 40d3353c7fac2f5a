import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { BrowserActionCommand } from '../../application/use-cases/browser-actions';
import type { SensitiveTaskAuthorized, SensitiveTaskRefused } from '../../domain/browser/browser.events';
import { AgentEndpoint, Answers, OrgScoped } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { SensitiveTaskDto } from '../dto/browser.dto';
import { problem } from '../problem';
import { HttpProblem } from '../problem.filter';
import { TaskAuthorizationView } from '../views/browser.view';
import { PromptRequiredProblem } from '../views/problem.view';

const REFUSALS: Record<SensitiveTaskRefused['data']['reason'], string> = {
  PROMPT_REQUIRED: 'A fresh signature is required: get a SENSITIVE_TASK challenge, sign it with your key and send it.',
  NO_ACTIVE_KEY: 'You have no ACTIVE key: request one and have it approved first.',
  INVALID_SIGNATURE: 'The signature does not verify under your ACTIVE key.',
};

@ApiTags('sensitive tasks')
@OrgScoped()
@Controller('v1/orgs/:orgId/sensitive-tasks')
export class SensitiveTasksController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @AgentEndpoint(
    'authorizeSensitiveTask',
    'Authorize a sensitive task from a browser (R11); 401 with promptRequired when a signature is needed',
    Answers(200, TaskAuthorizationView, 'Authorized (recorded in the audit log)'),
    [401, 'A fresh signature is required (promptRequired), or no ACTIVE key; the refusal is audited', 'PROMPT_REQUIRED', PromptRequiredProblem, { promptRequired: true, position: '42' }],
    [422, 'The challenge is expired, replayed or binds something else', 'CHALLENGE_EXPIRED'],
  )
  async authorize(@Ctx() context: CommandContext, @Body() body: SensitiveTaskDto) {
    const action = { kind: 'authorizeTask' as const, task: body.task, challengeId: body.challengeId, signature: body.signature };
    const { events, position } = await this.commands.execute(new BrowserActionCommand(context, context.actor, body.browserId, action));
    const outcome = events[events.length - 1] as SensitiveTaskAuthorized | SensitiveTaskRefused;
    if (outcome.type === 'SensitiveTaskRefused') {
      const reason = outcome.data.reason;
      throw new HttpProblem(
        problem(401, reason, REFUSALS[reason], { promptRequired: reason !== 'NO_ACTIVE_KEY', position: String(position) }),
      );
    }
    return { authorized: true, method: outcome.data.method, validUntil: outcome.data.validUntil, position: String(position) };
  }
}
