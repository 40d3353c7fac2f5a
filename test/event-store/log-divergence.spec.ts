import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logDivergence } from '../../src/event-store/log-divergence';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEvents, uniqueStream } from './event-factory';

/*
 * A consumer's checkpoint against the log it resumes on, on the embedded store (positions count
 * events, never given twice). A checkpoint saved before checkpoints named their event holds only
 * its position: an event must still be there, since it is the last event the consumer handled.
 */
describe('logDivergence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-divergence-'));
  const path = join(dir, 'events.sqlite');
  let store: SqliteEventStore;
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names a checkpoint, with or without its event id, at a position where the log lost its event and grew past it', async () => {
    store = new SqliteEventStore({ path });
    await store.append([{ stream: uniqueStream('kept'), expected: 'no_stream', events: newEvents(3) }]);
    const lost = await store.append([{ stream: uniqueStream('lost'), expected: 'no_stream', events: newEvents(2) }]);
    const [handled] = await store.readAll(lost.position - 1n, 1);
    await store.close();
    // Its last rows deleted while the consumer was away, then the log grew past them (AUTOINCREMENT: not at their positions).
    const db = new Database(path);
    db.prepare('DELETE FROM events WHERE position >= ?').run(lost.position - 1n);
    db.close();
    store = new SqliteEventStore({ path });
    const grown = await store.append([{ stream: uniqueStream('grown'), expected: 'no_stream', events: newEvents(3) }]);
    expect(grown.position).toBeGreaterThan(lost.position);

    expect(await logDivergence(store, { position: lost.position })).toBe(`the event log holds no event at the checkpoint (${lost.position})`);
    expect(await logDivergence(store, { position: handled.position, eventId: handled.id })).toBe(
      `the event log holds no event at the checkpoint (${handled.position}), not event ${handled.id}`,
    );
  });

  it('leaves a checkpoint the log still holds alone, with or without its event id', async () => {
    const [first] = await store.readAll(undefined, 1);
    expect(await logDivergence(store, { position: first.position })).toBeUndefined();
    expect(await logDivergence(store, { position: first.position, eventId: first.id })).toBeUndefined();
    expect(await logDivergence(store, undefined)).toBeUndefined();
  });

  it('names another event at the checkpoint, and a head behind it', async () => {
    const [first, second] = await store.readAll(undefined, 2);
    expect(await logDivergence(store, { position: first.position, eventId: second.id })).toBe(`the event at the checkpoint (${first.position}) is event ${first.id}, not event ${second.id}`);
    const head = (await store.headPosition())!;
    expect(await logDivergence(store, { position: head + 1n })).toBe(`the event log's head (${head}) is behind the checkpoint (${head + 1n})`);
  });
});
