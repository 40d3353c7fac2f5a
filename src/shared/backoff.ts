/**
 * The one retry policy: the wait before retry n (from 0) doubles from `initialMs` up to `maxMs`,
 * with jitter so that processes failing together do not come back together.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** 'equal' (default): between half and all of the step; 'full': up to the step; 'none': the step itself. */
  jitter?: 'equal' | 'full' | 'none';
}

/** The policies ztkeys uses, tuned per kind of failure. */
export const BACKOFF = {
  /** Two commands wrote one stream at once: retry at once, spread out fully so the next round mostly succeeds. */
  conflict: { initialMs: 2, maxMs: 1000, jitter: 'full' },
  /** A subscription to a server dropped: reconnect soon, give a restarting server room. */
  resubscribe: { initialMs: 100, maxMs: 10_000, jitter: 'equal' },
  /** The notifier's queue or checkpoint store is down: it waits without limit, so it waits long. */
  notifier: { initialMs: 100, maxMs: 30_000, jitter: 'none' },
  /** The CLI got no answer to a command it sent with an Idempotency-Key: send it again soon, a few times. */
  lostAnswer: { initialMs: 250, maxMs: 2000, jitter: 'equal' },
  /** A projection's store failed: resubscribe from the checkpoint every second. */
  projection: { initialMs: 1000, maxMs: 1000, jitter: 'none' },
} as const satisfies Record<string, BackoffPolicy>;

/** How long to wait before retry `attempt` (0-based). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** attempt);
  switch (policy.jitter ?? 'equal') {
    case 'none':
      return step;
    case 'full':
      return step * random();
    case 'equal':
      return step / 2 + (step / 2) * random();
  }
}
