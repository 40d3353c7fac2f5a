import type { Registry } from 'prom-client';
import { rateLimitRefusals } from '../metrics/rate-limit-metrics';
import { limitKey } from './limit-key';
import { RateLimitExceeded } from './rate-limits';

/** What a refused client waits before asking again: an export under way has no end it could be told. */
const RETRY_AFTER_SECONDS = 5;

type ExportLimit = 'concurrent_exports_per_org' | 'concurrent_exports_per_agent';

/**
 * Audit-log exports under way at once, in this process: at most `perOrg` of one org, and at most
 * `perAgent` of one agent. An export costs for as long as its client reads it (a page of the log at
 * a time, a core while the client keeps up): a rate of requests cannot bound that, a count of those
 * under way does. The org's bound keeps its exports from crowding out other orgs; the agent's keeps
 * one reader (a slow one, a hostile one) from holding every place of its org, its auditor's too.
 */
export class ConcurrentExports {
  private readonly running = new Map<string, number>();
  private readonly refusals;

  constructor(
    private readonly max: { perOrg: number; perAgent: number },
    registry: Registry,
  ) {
    this.refusals = rateLimitRefusals(registry);
  }

  /** Takes a place of the agent's and one of its org's, or throws RateLimitExceeded (counted); the function returned gives both back, once. */
  take(caller: { orgId: string; agentId: string }): () => void {
    // The agent's bound first: an agent at its own bound is told so, not that its org is busy.
    const places = (
      [
        ['concurrent_exports_per_agent', this.max.perAgent],
        ['concurrent_exports_per_org', this.max.perOrg],
      ] as const
    ).map(([limit, max]) => ({ limit, max, key: `${limit}:${limitKey(limit, caller)}` }));
    const full = places.find(({ key, max }) => (this.running.get(key) ?? 0) >= max);
    if (full) this.refuse(full.limit, full.max);
    for (const { key } of places) this.running.set(key, (this.running.get(key) ?? 0) + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      for (const { key } of places) {
        const left = this.running.get(key)! - 1;
        if (left === 0) this.running.delete(key);
        else this.running.set(key, left);
      }
    };
  }

  private refuse(limit: ExportLimit, max: number): never {
    this.refusals.inc({ limit });
    const whose = limit === 'concurrent_exports_per_agent' ? 'of yours' : 'of this organization';
    throw new RateLimitExceeded(
      limit,
      max,
      RETRY_AFTER_SECONDS,
      `Too many exports ${whose} under way (${max} at once); retry in ${RETRY_AFTER_SECONDS} s, or once one has ended.`,
    );
  }
}
