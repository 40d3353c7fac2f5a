import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BullmqEmailQueue, type BullmqEmailQueueOptions } from '../../src/notifications/queue/bullmq-email-queue';
import type { RetryPolicy } from '../../src/notifications/queue/email-queue.port';
import { emailQueueContract } from './email-queue.contract';

/** Against the shared Redis on 127.0.0.1:6379, under a key prefix (REDIS_KEY_PREFIX's) and queue names of this run only. */
const REDIS_URL = 'redis://127.0.0.1:6379';

emailQueueContract('BullMQ', () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `ztkeys-test-${run}:bull`;
  const names = new Set<string>();
  const options = (store: string, retry: RetryPolicy): BullmqEmailQueueOptions => {
    const name = `ztkeys-test-${run}-${store}`;
    names.add(name);
    return { redisUrl: REDIS_URL, prefix, name, retry, lockMs: 2000, keepCompletedMs: 3600_000 };
  };
  return {
    open: async (store, retry) => new BullmqEmailQueue(options(store, retry)),
    workerArgs: (store, retry) => ({ adapter: 'bullmq', options: options(store, retry) }),
    async cleanup() {
      for (const name of names) {
        const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    },
  };
});
