import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { RateLimits } from '../rate-limits/rate-limits';
import { RATE_LIMITED, rateLimitKey, type RateLimitedSpec } from './rate-limit-spec';

/**
 * Applies the @RateLimited / @WrongCodesLimited limits of a route, after authentication (a global
 * guard: the caller is known) and before validation and the handler: a refused call writes nothing.
 * A guard of the routes that have limits, not an interceptor: an interceptor wraps every request
 * of its routes in observables and async contexts (issue 14).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  /** Each route's limits, read from its metadata once. */
  private readonly specOf = new Map<Function, RateLimitedSpec>();

  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    let spec = this.specOf.get(handler);
    if (!spec) this.specOf.set(handler, (spec = this.reflector.get<RateLimitedSpec>(RATE_LIMITED, handler)));
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    for (const limit of spec.calls) await this.limits.consume(limit, rateLimitKey(limit, request));
    for (const limit of spec.wrongCodes) await this.limits.check(limit, rateLimitKey(limit, request));
    return true;
  }
}
