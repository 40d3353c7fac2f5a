import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth.guard';

/**
 * Whether the call came with the operator's bootstrap token, as the auth guard found it (no agent
 * caller). Never told from the actor's name: an agent token may carry `sub: "operator"`.
 */
export const OperatorCall = createParamDecorator(
  (_: unknown, context: ExecutionContext): boolean => context.switchToHttp().getRequest<AuthenticatedRequest>().caller === undefined,
);
