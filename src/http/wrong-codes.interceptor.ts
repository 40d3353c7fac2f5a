import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { DomainRefusal } from '../domain/shared/refusal';
import { RateLimits } from '../rate-limits/rate-limits';
import { RATE_LIMITED, rateLimitKey, type RateLimitedSpec } from './rate-limit-spec';

/** The refusals of a wrong verification code (the last one locks the request). */
const WRONG_CODE_REFUSALS = new Set(['VERIFICATION_CODE_MISMATCH', 'REQUEST_LOCKED']);

/** Counts a wrong verification code against the @WrongCodesLimited limits of its route (RateLimitGuard refuses once they are used up). */
@Injectable()
export class WrongCodesInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { wrongCodes } = this.reflector.get<RateLimitedSpec>(RATE_LIMITED, context.getHandler());
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return next.handle().pipe(
      catchError((error: unknown) => {
        const wrongCode = error instanceof DomainRefusal && WRONG_CODE_REFUSALS.has(error.code);
        // The wrong code is answered as such (422); the next call is the one refused.
        const counted = wrongCode ? Promise.all(wrongCodes.map((limit) => this.limits.count(limit, rateLimitKey(limit, request)))) : Promise.resolve();
        return from(counted).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
