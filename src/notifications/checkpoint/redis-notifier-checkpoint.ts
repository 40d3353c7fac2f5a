import IORedis from 'ioredis';
import type { NotifierCheckpoint } from './notifier-checkpoint.port';

/** The notifier's checkpoint in the Redis that holds the BullMQ jobs. */
export class RedisNotifierCheckpoint implements NotifierCheckpoint {
  private readonly redis: IORedis;

  /** Fails fast while Redis is down (no offline queue): the notifier retries and keeps its place. */
  constructor(
    redisUrl: string,
    private readonly key: string,
    onError?: (error: unknown) => void,
  ) {
    this.redis = new IORedis(redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: false });
    this.redis.on('error', (error) => onError?.(error));
  }

  async load(): Promise<bigint | undefined> {
    const position = await this.redis.get(this.key);
    return position === null ? undefined : BigInt(position);
  }

  async save(position: bigint): Promise<void> {
    await this.redis.set(this.key, position.toString());
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
