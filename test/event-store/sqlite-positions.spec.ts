import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEvent, newEvents, uniqueStream } from './event-factory';

const dir = mkdtempSync(join(tmpdir(), 'ztkeys-positions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `store-${++files}.db`);

/** Deletes the last `count` event rows straight from the file, as a lost tail or a careless operator would. */
function deleteLastRows(path: string, count: number): void {
  const db = new Database(path);
  db.prepare('DELETE FROM events WHERE position IN (SELECT position FROM events ORDER BY position DESC LIMIT ?)').run(count);
  db.close();
}

describe('SQLite event log positions', () => {
  it('never gives a position twice, even after the last event rows were deleted', async () => {
    const path = freshPath();
    const stream = uniqueStream('reuse');
    let store = new SqliteEventStore({ path });
    await store.append([{ stream, expected: 'no_stream', events: newEvents(5) }]);
    await store.close();

    deleteLastRows(path, 2);
    store = new SqliteEventStore({ path });
    expect(await store.headPosition()).toBe(3n);
    const next = await store.append([{ stream: uniqueStream('after'), expected: 'no_stream', events: [newEvent(), newEvent()] }]);
    expect(next.position).toBe(7n);
    expect((await store.readAll(3n, 10)).map((event) => event.position)).toEqual([6n, 7n]);
    await store.close();
  });

  it('upgrades a log created with rowid positions at open, keeping every position, and gives fresh ones after', async () => {
    const path = freshPath();
    const old = new Database(path);
    old.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision))`);
    const insert = old.prepare(
      `INSERT INTO events (position, id, stream, revision, type, schema_version, data, metadata) VALUES (?, ?, 's-old', ?, 'Tested', 1, '{}', ?)`,
    );
    const originals = newEvents(3);
    // Positions with a gap, as an old log that lost rows in the middle has.
    originals.forEach((event, i) => insert.run([1, 2, 5][i], event.id, i, JSON.stringify(event.metadata)));
    old.close();

    const store = new SqliteEventStore({ path });
    expect((await store.readAll(undefined, 10)).map((event) => [event.position, event.id])).toEqual([
      [1n, originals[0].id],
      [2n, originals[1].id],
      [5n, originals[2].id],
    ]);
    await store.close();
    deleteLastRows(path, 1);
    const reopened = new SqliteEventStore({ path });
    expect((await reopened.append([{ stream: 's-old', expected: 1n, events: [newEvent()] }])).position).toBe(6n);
    expect((await reopened.readStream('s-old')).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
    await reopened.close();
  });
});
