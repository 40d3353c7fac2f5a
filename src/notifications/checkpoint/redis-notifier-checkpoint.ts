import IORedis from 'ioredis';
import type { LogCheckpoint } from '../../event-store/log-divergence';
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

  /** "position eventId"; a value written before checkpoints named their event is the position alone. */
  async load(): Promise<LogCheckpoint | undefined> {
    const value = await this.redis.get(this.key);
    if (value === null) return undefined;
    const [position, eventId] = value.split(' ');
    return { position: BigInt(position), eventId };
  }

  async save({ position, eventId }: LogCheckpoint): Promise<void> {
    await this.redis.set(this.key, eventId === undefined ? position.toString() : `${position} ${eventId}`);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
