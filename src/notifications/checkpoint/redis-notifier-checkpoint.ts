import IORedis from 'ioredis';
import type { LogCheckpoint } from '../../event-store/log-divergence';
import { inLogOrder, type NotifierCheckpoint, type ParkedEvent } from './notifier-checkpoint.port';

/** The notifier's checkpoint (a string) and parked events (a hash by event id) in the Redis that holds the BullMQ jobs. */
export class RedisNotifierCheckpoint implements NotifierCheckpoint {
  private readonly redis: IORedis;
  /** Settles at the connection's first outcome: a command sent while it connects fails as unwritable (no offline queue). */
  private readonly connected: Promise<void>;

  /** Fails fast while Redis is down (no offline queue): the notifier retries and keeps its place. */
  constructor(
    redisUrl: string,
    private readonly key: string,
    private readonly parkedKey: string,
    onError?: (error: unknown) => void,
  ) {
    this.redis = new IORedis(redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: false });
    this.redis.on('error', (error) => onError?.(error));
    this.connected = new Promise((settle) => {
      this.redis.once('ready', settle);
      this.redis.once('error', () => settle());
    });
  }

  /** "position eventId"; a value written before checkpoints named their event is the position alone. */
  async load(): Promise<LogCheckpoint | undefined> {
    const value = await this.sent(() => this.redis.get(this.key));
    if (value === null) return undefined;
    const [position, eventId] = value.split(' ');
    return { position: BigInt(position), eventId };
  }

  async save({ position, eventId }: LogCheckpoint): Promise<boolean> {
    const value = eventId === undefined ? position.toString() : `${position} ${eventId}`;
    // Read and written in one script: SET ... GET would do it too, but from Redis 6.2 only (BullMQ takes 5.0).
    const before = await this.sent(() => this.redis.eval("local before = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[1], ARGV[1]); return before", 1, this.key, value));
    return before !== null;
  }

  async park({ position, eventId, type, schemaVersion, reason }: ParkedEvent): Promise<void> {
    await this.sent(() => this.redis.hset(this.parkedKey, eventId, JSON.stringify({ position: position.toString(), type, schemaVersion, reason })));
  }

  async parked(): Promise<ParkedEvent[]> {
    const fields = await this.sent(() => this.redis.hgetall(this.parkedKey));
    const parked = Object.entries(fields).map(([eventId, value]) => {
      const { position, type, schemaVersion, reason } = JSON.parse(value) as { position: string; type: string; schemaVersion: number; reason: string };
      return { position: BigInt(position), eventId, type, schemaVersion, reason };
    });
    return parked.sort(inLogOrder);
  }

  async unpark(eventId: string): Promise<void> {
    await this.sent(() => this.redis.hdel(this.parkedKey, eventId));
  }

  /** A command, sent once the connection's first outcome is known (whichever command a caller sends first). */
  private async sent<T>(command: () => Promise<T>): Promise<T> {
    await this.connected;
    return command();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
