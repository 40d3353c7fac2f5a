import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import type { RateLimitName } from '../config/app-config';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMITED, type RateLimitedSpec } from './rate-limit-spec';
import { WrongCodesInterceptor } from './wrong-codes.interceptor';

/** Each call counts against these limits (keyed by the caller's agent, org or address, as the name ends). */
export const RateLimited = (...calls: RateLimitName[]) =>
  applyDecorators(SetMetadata(RATE_LIMITED, { calls, wrongCodes: [] } satisfies RateLimitedSpec), UseGuards(RateLimitGuard));

/** Wrong verification codes count against these limits (R5 locks one request; this bounds an approver across requests). */
export const WrongCodesLimited = (...wrongCodes: RateLimitName[]) =>
  applyDecorators(SetMetadata(RATE_LIMITED, { calls: [], wrongCodes } satisfies RateLimitedSpec), UseGuards(RateLimitGuard), UseInterceptors(WrongCodesInterceptor));
