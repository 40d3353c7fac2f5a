import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_FORMAT } from '../../src/shared/data-format';
import { StartupError } from '../../src/shared/startup-error';
import { openSqliteFile } from '../../src/shared/sqlite-file';

describe('openSqliteFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-sqlite-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps SQLite's own 2 MB page cache, not the 16 MB better-sqlite3 is built with", () => {
    const built = new Database(':memory:');
    expect(built.pragma('cache_size', { simple: true })).toBe(-16000);
    built.close();

    const db = openSqliteFile(join(dir, 'store.sqlite'), 'NORMAL');
    expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
    db.close();
  });

  /** A WAL file at `format`, closed: as a stopped release leaves it. */
  const fileAt = (name: string, format: number): string => {
    const path = join(dir, name);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    db.pragma(`user_version = ${format}`);
    db.close();
    return path;
  };

  it('refuses, untouched, a store a newer release wrote: also a process whose start checked the folder before that release upgraded it', () => {
    const path = fileAt('newer.sqlite', DATA_FORMAT + 1);
    const before = readFileSync(path);
    expect(() => openSqliteFile(path, 'NORMAL')).toThrow(
      new StartupError(
        `${path} is in data format ${DATA_FORMAT + 1}, written by a newer ztkeys; this release knows data format ${DATA_FORMAT} at most: run the newer release on it, or restore the backup taken before the upgrade`,
      ),
    );
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("marks a store of before the marker as this release's", () => {
    const db = openSqliteFile(fileAt('older.sqlite', 0), 'NORMAL');
    expect(db.pragma('user_version', { simple: true })).toBe(DATA_FORMAT);
    db.close();
  });
});
