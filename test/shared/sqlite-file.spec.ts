import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
