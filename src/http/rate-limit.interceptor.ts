import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import type { RateLimitName } from '../config/app-config';
import { DomainRefusal } from '../domain/shared/refusal';
import { RateLimits } from '../rate-limits/rate-limits';
import { RATE_LIMITED, type RateLimitedSpec } from './rate-limited.decorator';

/** The refusals of a wrong verification code (the last one locks the request). */
const WRONG_CODE_REFUSALS = new Set(['VERIFICATION_CODE_MISMATCH', 'REQUEST_LOCKED']);

/** The key a limit counts by, as its name says: the caller's agent (within its org), its org, or its client address. */
function keyOf(limit: RateLimitName, request: AuthenticatedRequest): string {
  if (limit.endsWith('_per_address')) return request.ip;
  const caller = request.caller!;
  return limit.endsWith('_per_org') ? caller.orgId : `${caller.orgId}~${caller.agentId}`;
}

/**
 * Applies the @RateLimited / @WrongCodesLimited limits of a route, after authentication (the caller
 * is known) and before validation and the handler: a refused call writes nothing.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const spec = this.reflector.get<RateLimitedSpec | undefined>(RATE_LIMITED, context.getHandler());
    if (!spec) return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    for (const limit of spec.calls) await this.limits.consume(limit, keyOf(limit, request));
    for (const limit of spec.wrongCodes) await this.limits.check(limit, keyOf(limit, request));
    if (spec.wrongCodes.length === 0) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        const wrongCode = error instanceof DomainRefusal && WRONG_CODE_REFUSALS.has(error.code);
        // The wrong code is answered as such (422); the next call is the one refused.
        const counted = wrongCode ? Promise.all(spec.wrongCodes.map((limit) => this.limits.count(limit, keyOf(limit, request)))) : Promise.resolve();
        return from(counted).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
