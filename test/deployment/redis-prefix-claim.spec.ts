import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisKeys } from '../../src/config/redis-keys';
import { RedisPrefixClaim } from '../../src/deployment/redis-prefix-claim';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** The timers and connections keeping this process alive, by kind (Node's own requests of the moment left out). */
const aliveNow = (): string[] => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP')).sort();

/**
 * What is alive once it has stayed the same for 250 ms (at most 5 s): a suite that ran before in
 * this jest worker may leave connections closing (CI saw two sockets in the list taken at the
 * start go while the claim's went, and the lists differ for what the claim never held).
 */
async function settledAlive(): Promise<string[]> {
  let seen = aliveNow();
  for (let stable = 0, waited = 0; stable < 250 && waited < 5000; waited += 25) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = aliveNow();
    stable = now.join() === seen.join() ? stable + 25 : 0;
    seen = now;
  }
  return seen;
}

describe('the claim of a REDIS_KEY_PREFIX (a real Redis)', () => {
  const prefix = `ztkeys-claim-test-${randomUUID()}`;
  afterAll(async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.del(redisKeys(prefix).deployment);
    await redis.quit();
  });

  it('closed (a server stopping), leaves nothing to keep the process alive: neither its connection, kept while it runs, nor its next check; ioredis once waited 2 s on a timer for the end of a connection closed already', async () => {
    const before = await settledAlive();
    const claim = new RedisPrefixClaim(REDIS_URL, prefix, 'deployment-a', () => undefined);
    expect(await claim.answeredAtStart()).toBe(true);
    claim.close();
    await claim.kept;
    // The socket goes once closed, and ioredis's timer with it.
    for (let waited = 0; waited < 5000 && aliveNow().join() !== before.join(); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(aliveNow()).toEqual(before);
  });
});
