import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSY_TIMEOUT_MS, openSqliteFile } from '../../src/shared/sqlite-file';
import { SqliteWriteFaults } from '../../src/shared/sqlite-write-faults';

describe("SqliteWriteFaults.writeWhenFree: another connection's write lock waited for on the event loop", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-write-faults-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const open = () => {
    const path = join(dir, `store-${++files}.sqlite`);
    const db = openSqliteFile(path, 'NORMAL');
    db.exec('CREATE TABLE t (n INTEGER)');
    return { path, db };
  };

  it('tries without the busy handler, again and again while the lock is held, writes once it is free, and leaves the busy timeout as it was for every other statement', async () => {
    const { path, db } = open();
    const faults = new SqliteWriteFaults(db, 'the test store', 5_000);
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    let tries = 0;
    const written = faults.writeWhenFree(() => {
      tries += 1;
      // Inside the try the busy handler is off: a held lock answers SQLITE_BUSY at once.
      expect(db.pragma('busy_timeout', { simple: true })).toBe(0);
      return db.prepare('INSERT INTO t (n) VALUES (1)').run().changes;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    const triesWhileHeld = tries;
    holder.exec('COMMIT');
    holder.close();

    expect(await written).toBe(1);
    // At once, at the next turn, then after 1, 1, 2, 5, 10, 25, 50 ms pauses: a handful in 100 ms, not one a millisecond.
    expect(triesWhileHeld).toBeGreaterThanOrEqual(2);
    expect(triesWhileHeld).toBeLessThanOrEqual(12);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses with StoreUnavailable once it has waited lockWaitMs, nothing written, and passes other errors through at once', async () => {
    const { path, db } = open();
    const faults = new SqliteWriteFaults(db, 'the test store', 150);
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    await expect(faults.writeWhenFree(() => db.prepare('INSERT INTO t (n) VALUES (1)').run())).rejects.toMatchObject({
      name: 'StoreUnavailable',
      message: 'the test store is unavailable: database is locked',
    });
    holder.exec('ROLLBACK');
    holder.close();
    await expect(faults.writeWhenFree(() => db.prepare('INSERT INTO missing (n) VALUES (1)').run())).rejects.toMatchObject({ code: 'SQLITE_ERROR' });
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    db.close();
  });
});
