import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { pause } from '../shared/pause';
import { within } from '../shared/within';
import type { HeldLease, Lease } from './lease.port';

/** How long a release waits for Redis: the key expires on its own, and a stop has 3 s in all. */
const RELEASE_WAIT_MS = 500;

export interface RedisLeaseOptions {
  /** Redis key of the lease, one per guarded job. */
  key: string;
  /** How long the lease outlives its last renewal: a standby takes over this long after the holder died. */
  ttlMs: number;
  /** How often a standby asks again (default: a third of ttlMs). */
  retryMs?: number;
  /** Told each time a standby finds the lease held by another process. */
  onStandby?: () => void;
  /** Told when Redis did not answer; the lease keeps trying. */
  onError?: (error: unknown) => void;
}

/** Take the lease if it is free, or renew it if a lost reply left it ours already. */
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Compare-and-renew: only the holder extends the lease. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Compare-and-delete: a holder whose lease expired cannot delete its successor's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A lease in Redis: a key holding the owner's id with a time to live. The holder renews it
 * every third of the TTL; when it dies, the key expires and a standby's next SET NX wins.
 */
export class RedisLease implements Lease {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisLeaseOptions,
  ) {
    if (!(options.ttlMs >= 30)) throw new RangeError(`lease ttlMs must be at least 30, got ${options.ttlMs}`);
  }

  async acquire(signal?: AbortSignal): Promise<HeldLease> {
    const owner = randomUUID();
    const { key, ttlMs } = this.options;
    for (;;) {
      signal?.throwIfAborted();
      const sentAt = performance.now();
      const asked = this.redis.eval(ACQUIRE, 1, key, owner, ttlMs);
      try {
        // A Redis away holds the ask (its client queues it until it answers): a stop does not wait for it.
        if ((await untilAborted(asked, signal)) === 1) return new RedisHeldLease(this.redis, this.options, owner, sentAt);
        this.options.onStandby?.();
      } catch (error) {
        if (signal?.aborted) {
          // Answered after the stop, the lease taken is let go rather than left to expire.
          void asked.then((won) => won === 1 && this.redis.eval(RELEASE, 1, key, owner)).catch(() => undefined);
          throw signal.reason;
        }
        this.options.onError?.(error);
      }
      // Aborted, it returns at once and the loop's check above throws the reason.
      await pause(this.options.retryMs ?? ttlMs / 3, signal);
    }
  }
}

class RedisHeldLease implements HeldLease {
  readonly lost: Promise<void>;
  private markLost!: () => void;
  private ended = false;
  private renewal: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisLeaseOptions,
    readonly owner: string,
    acquiredAt: number,
  ) {
    this.lost = new Promise((resolve) => (this.markLost = resolve));
    this.keepUntil(acquiredAt);
    this.scheduleRenewal();
  }

  async release(): Promise<void> {
    this.end();
    try {
      await within(this.redis.eval(RELEASE, 1, this.options.key, this.owner), RELEASE_WAIT_MS);
    } catch (error) {
      // The key expires on its own; a standby then takes over a little later.
      this.options.onError?.(error);
    }
  }

  /**
   * The lease counts as ours until a fifth of the TTL before it would expire if Redis applied
   * our last successful renewal the moment we sent it: the guarded work stops before a
   * standby can start, even when Redis stops answering.
   */
  private keepUntil(sentAt: number): void {
    clearTimeout(this.deadline);
    const validUntil = sentAt + this.options.ttlMs * 0.8;
    this.deadline = setTimeout(() => this.end(), Math.max(0, validUntil - performance.now()));
  }

  private scheduleRenewal(): void {
    this.renewal = setTimeout(() => void this.renew(), this.options.ttlMs / 3);
  }

  private async renew(): Promise<void> {
    const sentAt = performance.now();
    try {
      const renewed = await this.redis.eval(RENEW, 1, this.options.key, this.owner, this.options.ttlMs);
      if (this.ended) return;
      if (renewed !== 1) {
        // Expired and taken by another process (or deleted by an operator).
        this.end();
        return;
      }
      this.keepUntil(sentAt);
    } catch (error) {
      this.options.onError?.(error);
    }
    if (!this.ended) this.scheduleRenewal();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.renewal);
    clearTimeout(this.deadline);
    this.markLost();
  }
}

/** `work`, or a rejection with the signal's reason once it aborts first; the work itself goes on. */
function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const abort = (): void => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
