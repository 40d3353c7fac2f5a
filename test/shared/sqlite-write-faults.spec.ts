import Database from 'better-sqlite3';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSY_TIMEOUT_MS, openSqliteFile } from '../../src/shared/sqlite-file';
import { SqliteWriteFaults } from '../../src/shared/sqlite-write-faults';
import { StoreUnavailable } from '../../src/shared/store-unavailable';

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

describe('SqliteWriteFaults: a damaged page met by a statement (a damaged copy restored)', () => {
  it('is StoreUnavailable saying so, and fails readiness until the process opens a whole file, whatever writes still go through', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztkeys-damaged-'));
    try {
      const path = join(dir, 'store.sqlite');
      const setUp = openSqliteFile(path, 'NORMAL');
      // The probe's table first, so that its page lies before the damage; the rows' last leaf is the file's last page.
      new SqliteWriteFaults(setUp, 'the test store');
      setUp.exec("CREATE TABLE t (n INTEGER PRIMARY KEY, padding TEXT); WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 2000) INSERT INTO t SELECT n, printf('%.200c', 'x') FROM i;");
      setUp.pragma('wal_checkpoint(TRUNCATE)');
      setUp.close();
      const pageSize = 4096;
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, statSync(path).size - pageSize);
      closeSync(fd);

      const db = openSqliteFile(path, 'NORMAL', true);
      const faults = new SqliteWriteFaults(db, 'the test store');
      let thrown: unknown;
      try {
        faults.write(() => db.prepare("INSERT INTO t (n, padding) VALUES (5000, 'y')").run());
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(StoreUnavailable);
      expect((thrown as Error).message).toMatch(/^the test store is unavailable: database disk image is malformed: the file is damaged; put back a whole copy of it \(from a backup\)$/);
      // The probe's own pages are whole: it goes through, and readiness still fails.
      expect(() => faults.check()).toThrow(thrown as Error);
      expect(() => faults.check()).toThrow(thrown as Error);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
