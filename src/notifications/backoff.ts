/** Exponential backoff: the wait after failed attempt n (from 1) is base * 2^(n-1), capped. */
export const exponentialBackoff = (baseMs: number, attempt: number, capMs = Number.POSITIVE_INFINITY): number =>
  Math.min(baseMs * 2 ** Math.max(0, attempt - 1), capMs);
