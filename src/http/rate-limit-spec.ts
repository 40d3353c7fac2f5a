import type { AuthenticatedRequest } from '../auth/auth.guard';
import type { CallerLimitName, RateLimitName } from '../config/app-config';
import { addressKey } from '../rate-limits/address-key';
import { limitKey } from '../rate-limits/limit-key';

/** The metadata key of a route's limits (set by ./rate-limited.decorator.ts). */
export const RATE_LIMITED = 'ztkeys:rate-limited';

export interface RateLimitedSpec {
  /** The caller's limits every call counts against, before it runs. */
  calls: CallerLimitName[];
  /** Limits only a wrong verification code counts against (the handler keeps the place it holds); once used up, calls are refused before they run. */
  wrongCodes: RateLimitName[];
}

/** The key a limit counts by, as its name says: the caller's agent (within its org), its org, or its client address (an IPv6 one by its /64). */
export const rateLimitKey = (limit: RateLimitName, request: AuthenticatedRequest): string =>
  limit.endsWith('_per_address') ? addressKey(request.ip) : limitKey(limit, request.caller!);
