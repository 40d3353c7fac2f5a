import { SetMetadata } from '@nestjs/common';
import type { RateLimitName } from '../config/app-config';

export const RATE_LIMITED = 'ztkeys:rate-limited';

export interface RateLimitedSpec {
  /** Limits every call counts against, before it runs. */
  calls: RateLimitName[];
  /** Limits only a wrong verification code counts against; once used up, calls are refused before they run. */
  wrongCodes: RateLimitName[];
}

/** Each call counts against these limits (keyed by the caller's agent, org or address, as the name ends). */
export const RateLimited = (...calls: RateLimitName[]) => SetMetadata(RATE_LIMITED, { calls, wrongCodes: [] } satisfies RateLimitedSpec);

/** Wrong verification codes count against these limits (R5 locks one request; this bounds an approver across requests). */
export const WrongCodesLimited = (...wrongCodes: RateLimitName[]) => SetMetadata(RATE_LIMITED, { calls: [], wrongCodes } satisfies RateLimitedSpec);
