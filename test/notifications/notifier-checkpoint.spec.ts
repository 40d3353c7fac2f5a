import Database from 'better-sqlite3';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifierCheckpoint } from '../../src/notifications/checkpoint/notifier-checkpoint.port';
import { RedisNotifierCheckpoint } from '../../src/notifications/checkpoint/redis-notifier-checkpoint';
import { SqliteNotifierCheckpoint } from '../../src/notifications/checkpoint/sqlite-notifier-checkpoint';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import { waitFor } from './support/wait-for';

/** Against the shared Redis on 127.0.0.1:6379 under a key of this run only, and a SQLite file of its own. */
const REDIS_URL = 'redis://127.0.0.1:6379';

interface Opened {
  checkpoint: NotifierCheckpoint;
  /** What a store that lost its data holds: no checkpoint. */
  lose(): Promise<void>;
  close(): Promise<void>;
}

describe.each([
  {
    store: 'Redis',
    open: (): Opened => {
      const key = `ztkeys-test:${randomUUID()}:notifier-checkpoint`;
      const parkedKey = `${key}:parked`;
      const checkpoint = new RedisNotifierCheckpoint(REDIS_URL, key, parkedKey);
      const admin = new IORedis(REDIS_URL);
      return {
        checkpoint,
        lose: async () => void (await admin.del(key)),
        close: async () => {
          await admin.del(key, parkedKey);
          admin.disconnect();
          await checkpoint.close();
        },
      };
    },
  },
  {
    store: 'SQLite',
    open: (): Opened => {
      const dir = mkdtempSync(join(tmpdir(), 'ztkeys-checkpoint-'));
      const db = openSqliteFile(join(dir, 'email.sqlite'), 'NORMAL');
      return {
        checkpoint: new SqliteNotifierCheckpoint(db),
        lose: async () => void db.exec('DELETE FROM notifier_checkpoints'),
        close: async () => {
          db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
])('the notifier checkpoint in $store', ({ open }) => {
  let store: Opened;
  beforeEach(async () => {
    store = open();
    // The Redis adapter fails fast until connected (no offline queue).
    await waitFor('the store to answer', () => store.checkpoint.load().then(() => true, () => false));
  });
  afterEach(() => store.close());

  it('answers whatever is asked first as soon as it is opened: the Redis adapter refused it while it connected (a warning at every start)', async () => {
    const asked: Array<[(checkpoint: NotifierCheckpoint) => Promise<unknown>, unknown]> = [
      [(checkpoint) => checkpoint.load(), undefined],
      [(checkpoint) => checkpoint.parked(), []],
    ];
    for (const [first, answer] of asked) {
      const fresh = open();
      try {
        await expect(first(fresh.checkpoint)).resolves.toEqual(answer);
      } finally {
        await fresh.close();
      }
    }
  });

  it('loads what was saved last, and tells each save whether it held a checkpoint before: not the first time, nor after it lost its data', async () => {
    const { checkpoint } = store;
    expect(await checkpoint.load()).toBeUndefined();
    expect(await checkpoint.save({ position: 3n, eventId: 'a' })).toBe(false);
    expect(await checkpoint.save({ position: 7n, eventId: 'b' })).toBe(true);
    expect(await checkpoint.load()).toEqual({ position: 7n, eventId: 'b' });
    await store.lose();
    expect(await checkpoint.load()).toBeUndefined();
    expect(await checkpoint.save({ position: 9n, eventId: 'c' })).toBe(false);
    expect(await checkpoint.save({ position: 10n, eventId: 'd' })).toBe(true);
    expect(await checkpoint.load()).toEqual({ position: 10n, eventId: 'd' });
  });

  it('keeps the events parked, one record each (the last reason), in log order, until unparked', async () => {
    const { checkpoint } = store;
    expect(await checkpoint.parked()).toEqual([]);
    // Past 2^63, as a KurrentDB position may be: kept whole.
    const far = { position: 2n ** 64n + 5n, eventId: 'far', type: 'KeyEscrowed', schemaVersion: 1, reason: 'cannot decode event KeyEscrowed v1: unknown event type' };
    const near = { position: 12n, eventId: 'near', type: 'KeyRequested', schemaVersion: 2, reason: 'cannot decode event KeyRequested v2: written by a newer ztkeys' };
    await checkpoint.park(far);
    await checkpoint.park(near);
    await checkpoint.park({ ...near, reason: 'parked again at a start' });
    expect(await checkpoint.parked()).toEqual([{ ...near, reason: 'parked again at a start' }, far]);
    await checkpoint.unpark('near');
    await checkpoint.unpark('never-parked');
    expect(await checkpoint.parked()).toEqual([far]);
    // Beside the checkpoint, not in it.
    expect(await checkpoint.load()).toBeUndefined();
  });
});

describe("the notifier checkpoint in SQLite while another connection holds the file's write lock", () => {
  it('saves once the lock is free, waiting on the event loop, not in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztkeys-checkpoint-locked-'));
    const path = join(dir, 'email.sqlite');
    const db = openSqliteFile(path, 'NORMAL');
    const checkpoint = new SqliteNotifierCheckpoint(db);
    const holder = new Database(path);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const order: string[] = [];
      const saved = checkpoint.save({ position: 5n, eventId: 'e' }).then(() => order.push('saved'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('timer fired');
      holder.exec('COMMIT');
      await saved;
      expect(order).toEqual(['timer fired', 'saved']);
      expect(await checkpoint.load()).toEqual({ position: 5n, eventId: 'e' });
    } finally {
      holder.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
