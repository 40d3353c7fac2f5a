import Database from 'better-sqlite3';
import { join } from 'node:path';
import { decode } from '../../src/domain/events/decode';
import { checkpointStream } from '../../src/domain/streams';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { logKeyOf } from '../../src/transparency/log-key';
import { checkLogHere } from '../../src/transparency/log-self-check';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { followToHead } from '../transparency/support/follow-to-head';
import { sqliteLogAndNodesForEach } from '../transparency/support/sqlite-log-and-nodes';
import { newEvent } from './event-factory';

const SIGNER = signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 7));
const KEY = logKeyOf(SIGNER);

/**
 * Found from outside (R16): SQLite's json_extract takes the first member of a name given twice, JSON.parse the last, and
 * the embedded audit trail reads its fields by SQL: an `orgId` written twice in an event's metadata text hid the event
 * from its org's trail and export while the check, which parsed the record, found nothing. The check's connection reads
 * those fields as SQL reads them (auditFieldsAsQueried), on the real SQLite log.
 */
describe('the check reads the audit fields as the audit trail queries them', () => {
  const stores = sqliteLogAndNodesForEach('ztkeys-as-queried-');

  const faults = async (events: SqliteEventStore) => {
    const report = await checkLogHere(events, KEY.keyring, stores.nodes)(new AbortController().signal, (error) => {
      throw error;
    });
    return report!.faults;
  };
  const inLog = (sql: string) => {
    const db = new Database(join(stores.dir, 'events.sqlite'));
    db.pragma('busy_timeout = 5000');
    const changed = db.prepare(sql).run().changes;
    db.close();
    return changed;
  };

  it('names an orgId or agentId written twice, which SQL reads otherwise than JSON.parse', async () => {
    for (let i = 0; i < 4; i++) {
      const event = newEvent('AgentAdded', { agentId: `a-${i}`, role: 'MEMBER' });
      await stores.events.append([{ stream: 'org-acme', expected: i === 0 ? 'no_stream' : BigInt(i - 1), events: [{ ...event, metadata: { ...event.metadata, orgId: 'acme' } }] }]);
    }
    const tree = CompactRange.empty();
    for (const record of await stores.events.readStream('org-acme')) tree.append(leafHash(eventLeafInput(decode(record))));
    await stores.events.append([{ stream: checkpointStream('acme'), expected: 'no_stream', events: [checkpointEvent(SIGNER, 'acme', tree, new Date())] }]);
    await followToHead(stores.events, stores.nodes);
    const asQueried = new SqliteEventStore({ path: join(stores.dir, 'events.sqlite'), auditFieldsAsQueried: true });
    try {
      expect(await faults(asQueried)).toEqual([]);

      // The first member is what the trail reads: the event is another org's there.
      expect(inLog(`UPDATE events SET metadata = '{"orgId":"elsewhere",' || substr(metadata, 2) WHERE stream = 'org-acme' AND revision = 1`)).toBe(1);
      expect(await faults(stores.events)).toEqual([]);
      expect(await faults(asQueried)).toEqual([{ orgId: 'acme', index: 1, reason: 'the event at position 2 is in stream org-acme of org acme but says it is of org elsewhere' }]);

      // The subject the trail shows for an event is no longer the one signed.
      expect(inLog(`UPDATE events SET metadata = '{' || substr(metadata, length('{"orgId":"elsewhere",') + 1) WHERE stream = 'org-acme' AND revision = 1`)).toBe(1);
      expect(await faults(asQueried)).toEqual([]);
      expect(inLog(`UPDATE events SET data = '{"agentId":"mallory",' || substr(data, 2) WHERE stream = 'org-acme' AND revision = 2`)).toBe(1);
      expect(await faults(stores.events)).toEqual([]);
      expect(await faults(asQueried)).toEqual([{ orgId: 'acme', index: 0, reason: expect.stringMatching(/^events 0 to 3 do not hash to the root signed by checkpoint 0/) }]);
    } finally {
      await asQueried.close();
    }
  });
});
