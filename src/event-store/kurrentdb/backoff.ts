/** How long to wait between attempts to reach a server again. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000 };

/**
 * Exponential delay before attempt `attempt` (0-based), capped, with "equal jitter": between
 * half and all of the step, so processes dropped together by a server restart come back spread out.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** attempt);
  return step / 2 + (step / 2) * random();
}
