import Database from 'better-sqlite3';
import { join } from 'node:path';
import { decode } from '../../src/domain/events/decode';
import { checkpointStream } from '../../src/domain/streams';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { logKeyOf } from '../../src/transparency/log-key';
import { checkLogHere } from '../../src/transparency/log-self-check';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { newEvent } from '../event-store/event-factory';
import { followToHead } from './support/follow-to-head';
import { sqliteLogAndNodesForEach } from './support/sqlite-log-and-nodes';

const SIGNER = signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 7));
const KEY = logKeyOf(SIGNER);

/**
 * The checkpoints the node store saw, met again by the check of the whole log (seen-checkpoints-check.ts),
 * on the real SQLite log and node store: an org's checkpoints deleted from the log's file (no log key
 * needed) are a fault, through a rebuild of the nodes too, and so is one appended in their place;
 * a log cut or restored from an older copy is not.
 */
describe('the check of the checkpoints the node store saw', () => {
  const stores = sqliteLogAndNodesForEach('ztkeys-seen-checkpoints-');

  const grow = async (orgId: string, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const event = newEvent('AgentAdded', { agentId: `a-${i}`, role: 'MEMBER' });
      await stores.events.append([{ stream: `org-${orgId}`, expected: i === 0 ? 'no_stream' : BigInt(i - 1), events: [{ ...event, metadata: { ...event.metadata, orgId } }] }]);
    }
  };
  /** A checkpoint of the org's whole tree, as the checkpointer appends it. */
  const sign = async (orgId: string) => {
    const tree = CompactRange.empty();
    for (const record of await stores.events.readStream(`org-${orgId}`)) tree.append(leafHash(eventLeafInput(decode(record))));
    const signed = await stores.events.readStream(checkpointStream(orgId));
    const expected = signed.length === 0 ? 'no_stream' : signed.at(-1)!.revision;
    return (await stores.events.append([{ stream: checkpointStream(orgId), expected, events: [checkpointEvent(SIGNER, orgId, tree, new Date())] }])).position;
  };
  const faults = async () => {
    const errors: unknown[] = [];
    const report = await checkLogHere(stores.events, KEY.keyring, stores.nodes)(new AbortController().signal, (error) => errors.push(error));
    expect(errors).toEqual([]);
    return report!.faults;
  };
  const inLog = (sql: string, ...parameters: string[]) => {
    const db = new Database(join(stores.dir, 'events.sqlite'));
    db.pragma('busy_timeout = 5000');
    const changed = db.prepare(sql).run(...parameters).changes;
    db.close();
    return changed;
  };

  it("finds an org's checkpoints deleted from the log, the nodes rebuilt from it or not, and a checkpoint appended in their place", async () => {
    await grow('acme', 0, 6);
    await grow('globex', 0, 3);
    const position = await sign('acme');
    await sign('globex');
    await followToHead(stores.events, stores.nodes);
    expect(await faults()).toEqual([]);

    expect(inLog('DELETE FROM events WHERE stream = ?', checkpointStream('acme'))).toBe(1);
    const gone = { orgId: 'acme', index: 0, reason: `checkpoint 0 of the org (position ${position}), which this server applied, is gone from the log: its checkpoints were deleted, so the events they signed cannot be checked` };
    expect(await faults()).toEqual([gone]);
    // The nodes rebuilt from the log that lost it: the store still knows what it saw.
    await stores.nodes.clear();
    await followToHead(stores.events, stores.nodes);
    expect(await faults()).toEqual([gone]);

    // Another checkpoint appended at its revision (the checkpointer signing the altered tree anew).
    await grow('acme', 6, 7);
    const again = await sign('acme');
    expect(await faults()).toEqual([
      { orgId: 'acme', index: 7, reason: `checkpoint 0 of the org is at position ${again} of the log, not at position ${position} where this server applied it: its checkpoints were deleted and others appended` },
    ]);
  });

  it("finds the latest checkpoints of an org deleted, naming how many events the ones left still sign; at the log's end, once the log grows past it", async () => {
    await grow('acme', 0, 4);
    await sign('acme');
    await grow('acme', 4, 6);
    const latest = await sign('acme');
    await followToHead(stores.events, stores.nodes);
    expect(inLog('DELETE FROM events WHERE stream = ? AND revision = 1', checkpointStream('acme'))).toBe(1);
    // The log's last record gone is what a log cut or restored from an older copy shows too.
    expect(await faults()).toEqual([]);
    // The next event of any org is past it (a position is never given twice).
    await grow('globex', 0, 1);
    expect(await faults()).toEqual([{ orgId: 'acme', index: 4, reason: expect.stringContaining(`checkpoint 1 of the org (position ${latest}), which this server applied, is gone from the log`) }]);
  });

  it('finds the checkpoint it saw rewritten in place (a copy of an earlier one, which signs less), the nodes then made to agree or not', async () => {
    await grow('acme', 0, 4);
    await sign('acme');
    await grow('acme', 4, 6);
    const latest = await sign('acme');
    await grow('globex', 0, 1);
    await followToHead(stores.events, stores.nodes);
    // Event 4 altered, which only the latest checkpoint signs, and that checkpoint made a copy of the first.
    expect(inLog("UPDATE events SET data = json_set(data, '$.role', 'SUPER_ADMIN') WHERE stream = 'org-acme' AND revision = 4")).toBe(1);
    const first = `(SELECT data FROM events WHERE stream = '${checkpointStream('acme')}' AND revision = 0)`;
    expect(inLog(`UPDATE events SET data = ${first} WHERE stream = ? AND revision = 1`, checkpointStream('acme'))).toBe(1);
    const rewritten = { orgId: 'acme', index: 4, reason: `checkpoint 1 of the org (position ${latest}) is no longer the one this server applied: the record there was rewritten` };
    expect(await faults()).toEqual([rewritten]);
    await stores.nodes.clear();
    await followToHead(stores.events, stores.nodes);
    expect(await faults()).toEqual([rewritten]);
  });

  it('names the fault the log itself shows rather than the checkpoint lost after it', async () => {
    await grow('acme', 0, 4);
    await sign('acme');
    await grow('acme', 4, 6);
    await sign('acme');
    await followToHead(stores.events, stores.nodes);
    expect(inLog("UPDATE events SET data = json_set(data, '$.role', 'SUPER_ADMIN') WHERE stream = 'org-acme' AND revision = 1")).toBe(1);
    expect(inLog('DELETE FROM events WHERE stream = ? AND revision = 1', checkpointStream('acme'))).toBe(1);
    expect(await faults()).toEqual([{ orgId: 'acme', index: 0, reason: expect.stringMatching(/^events 0 to 3 do not hash to the root signed by checkpoint 0/) }]);
  });

  it("is no fault for a checkpoint past the log's end as read (the follower saw it since), nor, once the follower meets it, for a log cut before it", async () => {
    await grow('acme', 0, 3);
    await sign('acme');
    await followToHead(stores.events, stores.nodes);
    const head = (await stores.events.headPosition())!;
    await stores.nodes.apply({ nodes: [], orgs: [], seen: [{ orgId: 'acme', revision: 1n, position: head + 10n, noteHash: Buffer.alloc(32) }], checkpoint: { position: head } });
    expect(await faults()).toEqual([]);

    // The log cut before its checkpoint, its last event (restored from an older copy): the follower finds the log behind it and forgets it.
    expect(inLog('DELETE FROM events WHERE stream = ?', checkpointStream('acme'))).toBe(1);
    await followToHead(stores.events, stores.nodes);
    expect(await stores.nodes.seenCheckpoints()).toEqual([]);
    expect(await faults()).toEqual([]);
  });
});
