import { backoffDelay } from '../../shared/backoff';
import type { RetryPolicy } from './email-queue.port';

/** The wait after failed attempt `attempt` (from 1), by the policy the workers run now: backoffMs * 2^(attempt-1). */
export function retryDelay(attempt: number, { backoffMs }: RetryPolicy): number {
  return backoffDelay(attempt - 1, { initialMs: backoffMs, maxMs: Infinity, jitter: 'none' });
}
