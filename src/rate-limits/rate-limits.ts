import cluster from 'node:cluster';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import { type AppConfig, type LimitName, type OrgLimitName, RATE_LIMIT_NAMES, type RateLimitName } from '../config/app-config';
import { rateLimitRefusals } from '../metrics/rate-limit-metrics';
import { ClusterLimiter, memoryLimiters, primaryLimitsLine } from './cluster-rate-limits';
import { FallbackLimiter, type Limiter } from './fallback-limiter';

/** A request over one limit: answered 429 with Retry-After (README, Security). */
export class RateLimitExceeded extends Error {
  constructor(
    readonly limit: LimitName,
    readonly points: number,
    /** Seconds until the window frees a request, at least 1. */
    readonly retryAfterSeconds: number,
    detail = `Too many requests (${limit.replace(/_/g, ' ')}: ${points} allowed per window); retry in ${retryAfterSeconds} s.`,
  ) {
    super(detail);
  }
}

/**
 * How long a limit kept in Redis waits for Redis before counting in memory instead. A Redis that
 * went away with a reset is skipped at once (not ready); one whose network went quiet (connection
 * open, no answer) would otherwise hold every request until TCP gave up, hours later.
 */
const REDIS_ANSWER_TIMEOUT_MS = 500;

/**
 * How long a cluster worker waits for its primary to count a request (or an export place) before
 * counting in its own memory instead. The primary does nothing else, so only a stalled one is that
 * slow; one gone takes its workers with it (node:cluster exits a worker whose primary is gone).
 */
export const PRIMARY_ANSWER_TIMEOUT_MS = 500;

/**
 * The rate limits of this deployment (rate-limiter-flexible): in Redis when REDIS_URL is set, so
 * every API instance counts against the same budget; without Redis, in the memory of the cluster's
 * primary for every worker (WORKERS > 1, over IPC: cluster-rate-limits.ts), else in this process's. When
 * Redis does not answer (gone, or silent past its timeout), each call is counted where it would be
 * without Redis, and when the primary does not answer, in the worker's own memory (FallbackLimiter):
 * limits stay on rather than every request failing or waiting. The primary's side is
 * countRateLimitsForWorkers (runtime/cluster.ts).
 */
export class RateLimits {
  private readonly limiters: Record<RateLimitName, Limiter>;
  private readonly refusals;

  constructor(
    private readonly rates: AppConfig['rateLimits'],
    registry: Registry,
    /** The limits' keys in Redis are `{keyPrefix}:{limit}:{caller}` (RedisKeys.rateLimits). */
    keyPrefix: string,
    redis?: Redis,
  ) {
    this.refusals = rateLimitRefusals(registry);
    const memory = memoryLimiters(rates);
    const primary = cluster.isWorker ? primaryLimitsLine(PRIMARY_ANSWER_TIMEOUT_MS) : undefined;
    this.limiters = Object.fromEntries(
      RATE_LIMIT_NAMES.map((name): [RateLimitName, Limiter] => {
        const { points, seconds } = rates[name];
        // Without Redis, or while it does not answer: one count for a whole cluster, not one a worker.
        const local = primary ? new FallbackLimiter(new ClusterLimiter(name, primary), memory[name]) : memory[name];
        if (!redis) return [name, local];
        const inRedis = new RateLimiterRedis({ points, duration: seconds, keyPrefix: `${keyPrefix}:${name}`, storeClient: redis, rejectIfRedisNotReady: true });
        return [name, new FallbackLimiter(new RLWrapperTimeouts({ limiter: inRedis, timeoutMs: REDIS_ANSWER_TIMEOUT_MS }), local)];
      }),
    ) as Record<RateLimitName, Limiter>;
  }

  /** Counts one request of `key` against `limit`; throws RateLimitExceeded (and counts the refusal) when over. */
  async consume(limit: RateLimitName, key: string): Promise<void> {
    try {
      await this.limiters[limit].consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw this.refused(limit, rejection);
      throw rejection;
    }
  }

  /**
   * Spends one request of org `orgId` against `limit`, at most once however often the function
   * returned is called (a command retried after a conflict is one request). Called once the caller
   * is admitted (a member, in a role that may, with input that parsed): a caller refused for access
   * or input spends only their own budgets, never the org's (README, Security).
   */
  orgBudget(limit: OrgLimitName, orgId: string): () => Promise<void> {
    let spent: Promise<void> | undefined;
    return () => (spent ??= this.consume(limit, orgId));
  }

  /**
   * Takes one event of each `key` from its `limit` before the outcome is known, refusing (and
   * taking none) once one is used up; the function returned gives them back. For events counted
   * after the fact (a wrong code): requests at once each hold their place, where a check made before
   * any of them was counted lets them all through.
   */
  async reserve(places: readonly { limit: RateLimitName; key: string }[]): Promise<() => Promise<void>> {
    const taken: { limit: RateLimitName; key: string }[] = [];
    const giveBack = async () => {
      await Promise.all(taken.map(({ limit, key }) => this.limiters[limit].reward(key)));
    };
    try {
      for (const place of places) {
        await this.consume(place.limit, place.key);
        taken.push(place);
      }
    } catch (refusal) {
      await giveBack();
      throw refusal;
    }
    return giveBack;
  }

  /** Throws RateLimitExceeded when `key` has used all of `limit` (for limits counted after the fact, like wrong codes). */
  async check(limit: RateLimitName, key: string): Promise<void> {
    const used = await this.limiters[limit].get(key);
    if (used && used.consumedPoints >= this.rates[limit].points) throw this.refused(limit, used);
  }

  private refused(limit: RateLimitName, state: RateLimiterRes): RateLimitExceeded {
    this.refusals.inc({ limit });
    return new RateLimitExceeded(limit, this.rates[limit].points, Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
  }
}
