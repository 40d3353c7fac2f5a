import type { Registry } from 'prom-client';
import { rateLimitRefusals } from '../metrics/rate-limit-metrics';
import type { ExportCaller, ExportLimit, ExportPlaceCounter } from './export-places';
import { RateLimitExceeded } from './rate-limits';

/** What a refused client waits before asking again: an export under way has no end it could be told. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Audit-log exports under way at once, in this server (its cluster's workers together): at most
 * `perOrg` of one org, and at most `perAgent` of one agent. An export costs for as long as its
 * client reads it (a page of the log at a time, a core while the client keeps up): a rate of
 * requests cannot bound that, a count of those under way does. The org's bound keeps its exports
 * from crowding out other orgs; the agent's keeps one reader (a slow one, a hostile one) from
 * holding every place of its org, its auditor's too.
 */
export class ConcurrentExports {
  private readonly refusals;

  constructor(
    /** This process's ExportPlaces, or a cluster worker's ClusterExportPlaces (counted in the primary). */
    private readonly places: ExportPlaceCounter,
    registry: Registry,
  ) {
    this.refusals = rateLimitRefusals(registry);
  }

  /** Takes a place of the agent's and one of its org's, or throws RateLimitExceeded (counted); the function returned gives both back, once. */
  async take(caller: ExportCaller): Promise<() => void> {
    const place = await this.places.take(caller);
    if ('full' in place) this.refuse(place.full, place.max);
    return place.release;
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
