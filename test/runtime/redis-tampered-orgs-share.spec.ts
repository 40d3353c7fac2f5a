import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisTamperedOrgsShare } from '../../src/runtime/redis-tampered-orgs-share';
import { describeTamperedOrgsShare } from './tampered-orgs-share.contract';

/* Against the real Redis of the test machine (REDIS_TEST_URL, default 127.0.0.1:6379), one unique key per test. */
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

describeTamperedOrgsShare('Redis', async () => {
  const key = `ztkeys-test:tampered-orgs:${randomUUID()}`;
  const connections = [new Redis(REDIS_URL)];
  const connect = () => connections[connections.push(new Redis(REDIS_URL)) - 1];
  return {
    share: new RedisTamperedOrgsShare(connections[0], key),
    another: () => new RedisTamperedOrgsShare(connect(), key),
    cleanup: async () => {
      await connections[0].del(key);
      await Promise.all(connections.map((redis) => redis.quit()));
    },
  };
});
