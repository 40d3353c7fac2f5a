import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig, LimitName, RateLimitName } from '../config/app-config';
import { rateLimitRefusals } from '../metrics/rate-limit-metrics';

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

const KEY_PREFIX = 'ztkeys:rate';

/**
 * The rate limits of this deployment (rate-limiter-flexible): in Redis when REDIS_URL is set, so
 * every API instance counts against the same budget; in this process's memory otherwise. When Redis
 * does not answer, each instance falls back to its own memory (the insurance limiter): limits stay
 * on, per instance, rather than every request failing.
 */
export class RateLimits {
  private readonly limiters: Record<RateLimitName, RateLimiterMemory | RateLimiterRedis>;
  private readonly refusals;

  constructor(rates: AppConfig['rateLimits'], registry: Registry, redis?: Redis) {
    this.refusals = rateLimitRefusals(registry);
    this.limiters = Object.fromEntries(
      Object.entries(rates).map(([name, { points, seconds }]) => {
        const options = { points, duration: seconds, keyPrefix: `${KEY_PREFIX}:${name}` };
        const memory = new RateLimiterMemory(options);
        const limiter = redis ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory }) : memory;
        return [name, limiter];
      }),
    ) as Record<RateLimitName, RateLimiterMemory | RateLimiterRedis>;
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

  /** Counts one event of `key` against `limit` without refusing anything (a wrong code, answered as such). */
  async count(limit: RateLimitName, key: string): Promise<void> {
    await this.limiters[limit].penalty(key);
  }

  /** Throws RateLimitExceeded when `key` has used all of `limit` (for limits counted after the fact, like wrong codes). */
  async check(limit: RateLimitName, key: string): Promise<void> {
    const limiter = this.limiters[limit];
    const used = await limiter.get(key);
    if (used && used.consumedPoints >= limiter.points) throw this.refused(limit, used);
  }

  private refused(limit: RateLimitName, state: RateLimiterRes): RateLimitExceeded {
    this.refusals.inc({ limit });
    return new RateLimitExceeded(limit, this.limiters[limit].points, Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
  }
}
