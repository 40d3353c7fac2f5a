import type { Registry } from 'prom-client';
import { rateLimitRefusals } from '../metrics/rate-limit-metrics';
import { RateLimitExceeded } from './rate-limits';

/** What a refused client waits before asking again: an export under way has no end it could be told. */
const RETRY_AFTER_SECONDS = 5;

/**
 * At most `max` audit-log exports of one org under way at once, in this process. An export costs
 * for as long as its client reads it (a page of the log at a time, a core while the client keeps
 * up): a rate of requests cannot bound that, a count of those under way does.
 */
export class ConcurrentExports {
  private readonly running = new Map<string, number>();
  private readonly refusals;

  constructor(
    private readonly max: number,
    registry: Registry,
  ) {
    this.refusals = rateLimitRefusals(registry);
  }

  /** Takes one of the org's places, or throws RateLimitExceeded (counted); the function returned gives it back, once. */
  take(orgId: string): () => void {
    const running = this.running.get(orgId) ?? 0;
    if (running >= this.max) {
      this.refusals.inc({ limit: 'concurrent_exports_per_org' });
      throw new RateLimitExceeded(
        'concurrent_exports_per_org',
        this.max,
        RETRY_AFTER_SECONDS,
        `Too many exports of this organization under way (${this.max} at once); retry in ${RETRY_AFTER_SECONDS} s, or once one has ended.`,
      );
    }
    this.running.set(orgId, running + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = this.running.get(orgId)! - 1;
      if (left === 0) this.running.delete(orgId);
      else this.running.set(orgId, left);
    };
  }
}
