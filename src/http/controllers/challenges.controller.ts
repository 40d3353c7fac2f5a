import { Controller, HttpCode, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { IssueChallengeQuery } from '../../application/use-cases/issue-challenge';
import type { ChallengeRequest } from '../../domain/shared/challenge-purposes';
import { AgentEndpoint, Answers, OrgScoped } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { RateLimited } from '../rate-limited.decorator';
import { ChallengeBodyPipe } from '../dto/challenge.dto';
import { ValidBody } from '../valid-body.decorator';
import { ChallengeView } from '../views/challenge.view';

@ApiTags('challenges')
@OrgScoped()
@Controller('v1/orgs/:orgId/challenges')
export class ChallengesController {
  constructor(private readonly queries: QueryBus) {}

  @Post()
  @HttpCode(201)
  @RateLimited('challenges_per_agent')
  @AgentEndpoint(
    'issueChallenge',
    'Get a one-time challenge (expires after 5 minutes) to sign with Ed25519',
    Answers(201, ChallengeView, 'Sign the UTF-8 bytes of `statement` (RFC 8785 canonical JSON) and send the signature with the challengeId'),
    [422, 'The public key is not a usable Ed25519 key, or (ORG_POLICY, INVALID_POLICY) a policy that cannot be set: its reminder is not before its expiry', 'INVALID_PUBLIC_KEY'],
  )
  async issue(@Ctx() context: CommandContext, @ValidBody(new ChallengeBodyPipe(), 'Exactly the fields the purpose binds; a field of another purpose is refused (FIELD_NOT_FOR_PURPOSE).') body: ChallengeRequest) {
    return this.queries.execute(new IssueChallengeQuery(context.orgId, context.actor, body, context.now));
  }
}
