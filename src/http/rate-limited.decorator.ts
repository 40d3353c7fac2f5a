import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import type { CallerLimitName, RateLimitName } from '../config/app-config';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMITED, type RateLimitedSpec } from './rate-limit-spec';

/**
 * Each call counts against these limits of its caller (keyed by agent or address, as the name ends),
 * before anything else runs, refused or not. An org's limits are spent by the handler once the
 * caller is admitted (RateLimits.orgBudget): an outsider or a refused caller cannot use them up.
 */
export const RateLimited = (...calls: CallerLimitName[]) =>
  applyDecorators(SetMetadata(RATE_LIMITED, { calls, wrongCodes: [] } satisfies RateLimitedSpec), UseGuards(RateLimitGuard));

/**
 * Calls are refused once wrong verification codes used up these limits (R5 locks one request;
 * this bounds an approver across requests). The command handler holds a place in them while it
 * decides and keeps it for a wrong code: an interceptor would wrap every call of the route in observables for it.
 */
export const WrongCodesLimited = (...wrongCodes: RateLimitName[]) =>
  applyDecorators(SetMetadata(RATE_LIMITED, { calls: [], wrongCodes } satisfies RateLimitedSpec), UseGuards(RateLimitGuard));
