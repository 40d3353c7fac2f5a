import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BullmqEmailQueue } from '../../src/notifications/queue/bullmq-email-queue';
import { emailQueueContract } from './email-queue.contract';

/** Against the shared Redis on 127.0.0.1:6379, under a key prefix (REDIS_KEY_PREFIX's) and queue names of this run only. */
const REDIS_URL = 'redis://127.0.0.1:6379';

emailQueueContract('BullMQ', () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `ztkeys-test-${run}:bull`;
  const names = new Set<string>();
  return {
    async open(store, retry) {
      const name = `ztkeys-test-${run}-${store}`;
      names.add(name);
      return new BullmqEmailQueue({ redisUrl: REDIS_URL, prefix, name, retry, lockMs: 2000, keepCompletedMs: 3600_000 });
    },
    async cleanup() {
      for (const name of names) {
        const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    },
  };
});
