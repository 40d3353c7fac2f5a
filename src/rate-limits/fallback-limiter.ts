import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

/** What RateLimits asks of a limit, wherever it is counted. */
export type Limiter = Pick<RateLimiterAbstract, 'consume' | 'reward' | 'get'>;

/**
 * A limit counted by `counter` (Redis, or the cluster's primary), and by `fallback` for every call
 * `counter` fails rather than answers (not ready, silent past its timeout): limits stay on, counted
 * nearer, rather than every request failing or waiting. A refusal is the counter's answer and stands.
 */
export class FallbackLimiter implements Limiter {
  constructor(
    private readonly counter: Limiter,
    private readonly fallback: Limiter,
  ) {}

  consume(key: string | number): Promise<RateLimiterRes> {
    return this.counter.consume(key).catch(this.unlessRefused(() => this.fallback.consume(key)));
  }

  reward(key: string | number): Promise<RateLimiterRes> {
    return this.counter.reward(key).catch(this.unlessRefused(() => this.fallback.reward(key)));
  }

  get(key: string | number): Promise<RateLimiterRes | null> {
    return this.counter.get(key).catch(this.unlessRefused(() => this.fallback.get(key)));
  }

  private unlessRefused<T>(fallBack: () => Promise<T>): (reason: unknown) => Promise<T> {
    return (reason) => {
      if (reason instanceof RateLimiterRes) throw reason;
      return fallBack();
    };
  }
}
