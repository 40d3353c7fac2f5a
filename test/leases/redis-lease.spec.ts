import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';
import type { HeldLease } from '../../src/leases/lease.port';
import { RedisLease, type RedisLeaseOptions } from '../../src/leases/redis-lease';
import { WatchedChild } from '../support/watched-child';
import { withDeadline } from '../support/with-deadline';

/* Against the real Redis of the test machine (REDIS_TEST_URL, default 127.0.0.1:6379), one unique key per test. */
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const ROOT = join(__dirname, '..', '..');

const connections: Redis[] = [];
function connect(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
}
const children: ChildProcess[] = [];
afterEach(async () => {
  // A holder process left over by a failed test would renew its lease forever.
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(connections.splice(0).map((redis) => (redis.status === 'end' ? undefined : redis.quit())));
});

const uniqueKey = (): string => `ztkeys-test:lease:${randomUUID()}`;

/** Waits for `refused`, failing at once if the standby got the lease meanwhile. */
async function outlasting(refused: Promise<void>, standbyAcquiring: Promise<HeldLease>): Promise<void> {
  const stolen = standbyAcquiring.then(() => {
    throw new Error('the standby got the lease while the holder was alive and renewing');
  });
  await Promise.race([refused, stolen]);
  stolen.catch(() => undefined);
}

/** A contender with its own connection, as a process of its own would have; counts its refusals. */
function contender(options: RedisLeaseOptions) {
  let refused = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const lease = new RedisLease(connect(), {
    ...options,
    onStandby: () => {
      refused += 1;
      for (const waiter of waiters.filter((w) => w.count === refused)) waiter.resolve();
    },
  });
  /** Resolves at the `count`-th refusal. Standbys pause retryMs between asks, so it bounds the time passed from below. */
  const refusedTimes = (count: number): Promise<void> =>
    refused >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }));
  return { lease, refusedTimes };
}

describe('RedisLease', () => {
  it('lets exactly one of two contenders hold it, for as long as the holder renews', async () => {
    const key = uniqueKey();
    const ttlMs = 1_000;
    const retryMs = 25;
    const a = contender({ key, ttlMs, retryMs });
    const b = contender({ key, ttlMs, retryMs });
    const acquiring = [a.lease.acquire(), b.lease.acquire()];

    const winner = await Promise.race(acquiring.map((p, i) => p.then((held) => ({ held, i }))));
    const loser = winner.i === 0 ? b : a;
    // 80 refusals, each followed by a 25 ms pause: two TTLs at least, so the holder has renewed.
    await outlasting(loser.refusedTimes(80), acquiring[1 - winner.i]);

    expect(await connect().get(key)).toBe(winner.held.owner);

    await winner.held.release();
    const second = await acquiring[1 - winner.i];
    expect(second.owner).not.toBe(winner.held.owner);
    expect(await connect().get(key)).toBe(second.owner);
    await second.release();
    expect(await connect().exists(key)).toBe(0);
  });

  it('hands the lease over on release at once, without waiting for expiry', async () => {
    const key = uniqueKey();
    // A TTL longer than the test timeout: only the release can let the standby in.
    const options = { key, ttlMs: 120_000, retryMs: 20 };
    const holder = await contender(options).lease.acquire();
    const standby = contender(options);
    const taking = standby.lease.acquire();
    await standby.refusedTimes(1);

    await holder.release();

    const taken = await taking;
    await holder.lost;
    expect(await connect().get(key)).toBe(taken.owner);
    await taken.release();
  });

  it('lets the standby take over after expiry when the holder process is killed', async () => {
    const key = uniqueKey();
    const ttlMs = 1_000;
    const holder = new WatchedChild(
      spawn(
        process.execPath,
        ['--require', join(ROOT, 'scripts/register-ts.js'), join(__dirname, 'fixtures/hold-lease.ts'), key, String(ttlMs)],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDIS_TEST_URL: REDIS_URL } },
      ),
      'the lease holder process',
    );
    children.push(holder.child);
    const [line] = (await withDeadline(`${holder.name}'s first line ("held <owner>")`, 20_000, once(createInterface({ input: holder.child.stdout! }), 'line'), () => holder.describe())) as [string];
    const killedOwner = line.replace(/^held /, '');

    const standby = contender({ key, ttlMs, retryMs: 40 });
    const taking = standby.lease.acquire();
    // 60 refusals of 40 ms pauses outlast two TTLs: the live holder kept its lease by renewing.
    await outlasting(standby.refusedTimes(60), taking);
    expect(await connect().get(key)).toBe(killedOwner);

    holder.child.kill('SIGKILL');
    await holder.exitWithin(10_000);
    const taken = await withDeadline(`the standby to take the lease once ${holder.name} is killed (its TTL: ${ttlMs} ms)`, 15_000, taking, () => holder.describe());

    expect(taken.owner).not.toBe(killedOwner);
    expect(await connect().get(key)).toBe(taken.owner);
    await taken.release();
  });

  it('reports the lease lost when another process got the key, and then never deletes it', async () => {
    const key = uniqueKey();
    const held = await contender({ key, ttlMs: 300 }).lease.acquire();
    const other = connect();

    await other.set(key, 'another-process', 'PX', 60_000);
    await held.lost;
    await held.release();

    expect(await other.get(key)).toBe('another-process');
    await other.del(key);
  });

  it('reports the lease lost while Redis is unreachable, before the key can expire and a standby start', async () => {
    const key = uniqueKey();
    const ttlMs = 3_000;
    const redis = connect();
    const held = await new RedisLease(redis, { key, ttlMs, onError: () => undefined }).acquire();
    const observer = connect();

    redis.disconnect();
    await held.lost;

    // The guarded work stops while the key still stands: no standby can have started yet.
    expect(await observer.get(key)).toBe(held.owner);
    expect(await observer.pttl(key)).toBeGreaterThan(0);
    await observer.del(key);
  });

  it('stops asking when its signal aborts while Redis holds the ask (away: its client queues commands until it answers)', async () => {
    // Nothing listens there: the client retries its connection for ever, holding every command.
    const away = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, lazyConnect: false, retryStrategy: () => 50 });
    away.on('error', () => undefined);
    try {
      const controller = new AbortController();
      const taking = new RedisLease(away, { key: uniqueKey(), ttlMs: 60_000, onError: () => undefined }).acquire(controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const reason = new Error('shutting down');
      const since = performance.now();
      controller.abort(reason);
      await expect(taking).rejects.toBe(reason);
      expect(performance.now() - since).toBeLessThan(100);
    } finally {
      away.disconnect();
    }
  });

  it('stops a waiting standby when its signal aborts', async () => {
    const key = uniqueKey();
    const holder = await contender({ key, ttlMs: 60_000 }).lease.acquire();
    const standby = contender({ key, ttlMs: 60_000, retryMs: 20 });
    const controller = new AbortController();
    const taking = standby.lease.acquire(controller.signal);
    await standby.refusedTimes(1);

    const reason = new Error('shutting down');
    controller.abort(reason);

    await expect(taking).rejects.toBe(reason);
    await holder.release();
  });
});
