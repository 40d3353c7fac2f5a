import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orgStatusProjection } from '../../projections/org-status.projection';
import { pendingKeysProjection } from '../../projections/pending-keys.projection';
import { LogTail } from '../../src/application/queries/log-tail';
import type { EventStore } from '../../src/event-store/event-store.port';
import { PositionNotInLog } from '../../src/event-store/position-not-in-log';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEvent, uniqueStream } from '../event-store/event-factory';

/*
 * A page's read of the log past its read models' checkpoints, when the lowest checkpoint is a
 * position the store refuses to read from: KurrentDB refuses one inside a record, where the
 * checkpoint of a read model that outlived a restore of an older copy of the log may point until
 * the projector has rebuilt it. The page must still be answered, not 503 until the rebuild.
 */
describe('LogTail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-log-tail-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const projections = [pendingKeysProjection, orgStatusProjection];

  it('is a tail cut short at its start, with no event, when the store refuses to read after the lowest checkpoint: the page reads on the streams what exactness needs', async () => {
    const { position } = await store.append([{ stream: uniqueStream('tail'), expected: 'no_stream', events: [newEvent(), newEvent()] }]);
    const refused = position - 1n;
    const refusing: Pick<EventStore, 'readAll'> = {
      readAll: (after, limit) => (after === refused ? Promise.reject(new PositionNotInLog(refused, new Error('Trying to read from an invalid position.'))) : store.readAll(after, limit)),
    };
    const checkpoints = { checkpoint: async (model: string) => (model === 'pending-keys' ? refused : position) };

    const tail = await LogTail.read(refusing, checkpoints, 'org-1', projections);
    expect(tail.complete).toBe(false);
    // Read on from a position the store holds, the tail reaches the head.
    expect((await LogTail.read(refusing, { checkpoint: async () => position }, 'org-1', projections)).complete).toBe(true);
  });

  it('still fails as the store fails otherwise', async () => {
    const failing: Pick<EventStore, 'readAll'> = { readAll: () => Promise.reject(new Error('the event store is unavailable')) };
    await expect(LogTail.read(failing, { checkpoint: async () => 1n }, 'org-1', projections)).rejects.toThrow('the event store is unavailable');
  });
});
