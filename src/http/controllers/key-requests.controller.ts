import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import type { IdempotencyKey } from '../../application/idempotency';
import { DecideKeyRequestCommand, WRONG_CODE_LIMITS } from '../../application/use-cases/decide-key-request';
import { GetKeyRequestQuery } from '../../application/use-cases/get-key-request';
import { RequestKeyCommand } from '../../application/use-cases/request-key';
import { AgentEndpoint, Answers, INVALID_INPUT_OR_KEY, OrgScoped, RequestParam, WritesOrgLog } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { Idempotency, IdempotencyKeyHeader } from '../idempotency-key.decorator';
import { RateLimited, WrongCodesLimited } from '../rate-limited.decorator';
import {
  approveKeyRequestSchema,
  createKeyRequestSchema,
  rejectKeyRequestSchema,
  type ApproveKeyRequestBody,
  type CreateKeyRequestBody,
  type RejectKeyRequestBody,
} from '../dto/key-request.dto';
import { ValidBody } from '../valid-body.decorator';
import { KeyRequestCreatedView, KeyRequestDecidedView, KeyRequestView } from '../views/key-request.view';

@ApiTags('key requests')
@OrgScoped()
@Controller('v1/orgs/:orgId/key-requests')
export class KeyRequestsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @RateLimited('key_requests_per_agent')
  @WritesOrgLog()
  @AgentEndpoint(
    'requestKey',
    'Request a key for myself, signed by the new key over a KEY_REQUEST challenge (R3)',
    Answers(201, KeyRequestCreatedView, 'Requested (or APPROVED at once as the first key of the org); for a retry with the same Idempotency-Key, what its first request answered'),
    INVALID_INPUT_OR_KEY,
    [409, 'A request is already PENDING, the first key must come from an admin (R4), or the public key belongs to another agent or was revoked (R18)', 'REQUEST_ALREADY_PENDING'],
    [422, 'Bad proof of possession or unusable key, or the Idempotency-Key was already used for another request (IDEMPOTENCY_KEY_REUSED)', 'INVALID_SIGNATURE'],
  )
  @IdempotencyKeyHeader()
  async create(@Ctx() context: CommandContext, @Idempotency() idempotency: IdempotencyKey | undefined, @ValidBody(createKeyRequestSchema) body: CreateKeyRequestBody) {
    const result = await this.commands.execute(
      new RequestKeyCommand(context, body.publicKey, body.challengeId, body.signature, body.replacePending, idempotency),
    );
    return { ...result, position: String(result.position) };
  }

  @Get(':requestId')
  @RequestParam()
  @AgentEndpoint('getKeyRequest', 'One key request, from its event stream (requester, ADMIN, SUPER_ADMIN)', Answers(200, KeyRequestView, 'The request and its history'))
  get(@Ctx() context: CommandContext, @Param('requestId') requestId: string) {
    return this.queries.execute(new GetKeyRequestQuery(context.orgId, context.actor, requestId, context.now));
  }

  @Post(':requestId/approve')
  @HttpCode(200)
  @WrongCodesLimited(...WRONG_CODE_LIMITS)
  @RequestParam()
  @WritesOrgLog()
  @AgentEndpoint(
    'approveKeyRequest',
    "Approve with the requester's verification code and my signed decision (ADMIN, SUPER_ADMIN)",
    Answers(200, KeyRequestDecidedView, 'Approved: the key is ACTIVE, or (R20 M-of-N) the approval is recorded and the request stays PENDING until the threshold is met'),
    [409, 'The request is not PENDING or is past its expiry (REQUEST_EXPIRED), its requester is now an AUDITOR, or you already approved it (ALREADY_APPROVED)', 'REQUEST_NOT_PENDING'],
    [422, 'Wrong verification code (counted; the 5th locks the request) or bad signature', 'VERIFICATION_CODE_MISMATCH'],
  )
  async approve(@Ctx() context: CommandContext, @Param('requestId') requestId: string, @ValidBody(approveKeyRequestSchema) body: ApproveKeyRequestBody) {
    const decision = { decision: 'APPROVE' as const, verificationCode: body.verificationCode };
    const result = await this.commands.execute(new DecideKeyRequestCommand(context, requestId, decision, body.challengeId, body.signature));
    return { ...result, position: String(result.position) };
  }

  @Post(':requestId/reject')
  @HttpCode(200)
  @RequestParam()
  @WritesOrgLog()
  @AgentEndpoint(
    'rejectKeyRequest',
    'Reject with my signed decision (ADMIN, SUPER_ADMIN)',
    Answers(200, KeyRequestDecidedView, 'Rejected'),
    [409, 'The request is not PENDING, or is past its expiry (REQUEST_EXPIRED)', 'REQUEST_NOT_PENDING'],
    [422, 'Bad signature', 'INVALID_SIGNATURE'],
  )
  async reject(@Ctx() context: CommandContext, @Param('requestId') requestId: string, @ValidBody(rejectKeyRequestSchema) body: RejectKeyRequestBody) {
    const decision = { decision: 'REJECT' as const, reason: body.reason };
    const result = await this.commands.execute(new DecideKeyRequestCommand(context, requestId, decision, body.challengeId, body.signature));
    return { ...result, position: String(result.position) };
  }
}
