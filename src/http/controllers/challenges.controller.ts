import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { type ChallengeRequest, IssueChallengeQuery } from '../../application/use-cases/issue-challenge';
import { AgentEndpoint, Answers, OrgScoped } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { CHALLENGE_FIELDS, ChallengeDto } from '../dto/challenge.dto';
import { problem } from '../problem';
import { HttpProblem } from '../problem.filter';
import { ChallengeView } from '../views/challenge.view';

@ApiTags('challenges')
@OrgScoped()
@Controller('v1/orgs/:orgId/challenges')
export class ChallengesController {
  constructor(private readonly queries: QueryBus) {}

  @Post()
  @HttpCode(201)
  @AgentEndpoint(
    'issueChallenge',
    'Get a one-time challenge (expires after 5 minutes) to sign with Ed25519',
    Answers(201, ChallengeView, 'Sign the UTF-8 bytes of `statement` (RFC 8785 canonical JSON) and send the signature with the challengeId'),
    [422, 'The public key is not a usable Ed25519 key', 'INVALID_PUBLIC_KEY'],
  )
  async issue(@Ctx() context: CommandContext, @Body() body: ChallengeDto) {
    const allowed = new Set(['purpose', ...CHALLENGE_FIELDS[body.purpose]]);
    const extra = Object.keys(body).filter((field) => !allowed.has(field) && (body as unknown as Record<string, unknown>)[field] !== undefined);
    if (extra.length > 0) {
      throw new HttpProblem(problem(400, 'FIELD_NOT_FOR_PURPOSE', `${extra.join(', ')} cannot be bound by a ${body.purpose} challenge; it binds ${CHALLENGE_FIELDS[body.purpose].join(', ')}.`));
    }
    return this.queries.execute(new IssueChallengeQuery(context.orgId, context.actor, body as ChallengeRequest, context.now));
  }
}
