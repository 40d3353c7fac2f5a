import type { RateLimitExceeded } from '../rate-limits/rate-limits';
import { type Problem, problem } from './problem';

/** The 429 of a request over a limit: problem details, Retry-After, and the RateLimit-* fields of the IETF draft. */
export function rateLimitAnswer(error: RateLimitExceeded): { body: Problem; headers: Record<string, string> } {
  const retryAfter = String(error.retryAfterSeconds);
  return {
    body: problem(429, 'RATE_LIMITED', error.message, { limit: error.limit, retryAfter: error.retryAfterSeconds }),
    headers: { 'retry-after': retryAfter, 'ratelimit-limit': String(error.points), 'ratelimit-remaining': '0', 'ratelimit-reset': retryAfter },
  };
}
