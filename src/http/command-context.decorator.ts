import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CommandContext } from '../application/command-context';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { OPERATOR_ACTOR } from '../domain/shared/actor';
import { ACCEPTED_ID } from '../logging/request-id';
import { newId } from '../shared/ids';

/** The context of a command from its HTTP request: caller, time, correlation (X-Correlation-Id, else the request id) and a fresh command id. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const commandId = newId();
  const header = request.headers['x-correlation-id'];
  const correlationId = typeof header === 'string' && ACCEPTED_ID.test(header) ? header : request.id;
  return {
    actor: request.caller?.agentId ?? OPERATOR_ACTOR,
    orgId: request.caller?.orgId ?? '',
    correlationId,
    commandId,
    now: new Date(),
  };
});
