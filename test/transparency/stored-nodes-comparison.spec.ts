import Database from 'better-sqlite3';
import { join } from 'node:path';
import { logKeyOf } from '../../src/transparency/log-key';
import { checkLogHere } from '../../src/transparency/log-self-check';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { newEvent } from '../event-store/event-factory';
import { followToHead } from './support/follow-to-head';
import { sqliteLogAndNodesForEach } from './support/sqlite-log-and-nodes';

const KEY = logKeyOf(signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 7)));

/**
 * The check of the whole log compares every node of each org's tree it re-derives with the
 * stored one (stored-nodes-comparison.ts), on the real SQLite log and node store: a node off the
 * tree's right edge, which no root reads, altered or lost; a node the follower has not stored yet
 * is no disagreement.
 */
describe("the check's comparison of every stored node", () => {
  const stores = sqliteLogAndNodesForEach('ztkeys-stored-nodes-');

  const grow = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const event = newEvent('AgentAdded', { agentId: `a-${i}`, role: 'MEMBER' });
      await stores.events.append([{ stream: 'org-acme', expected: i === 0 ? 'no_stream' : BigInt(i - 1), events: [{ ...event, metadata: { ...event.metadata, orgId: 'acme' } }] }]);
    }
  };
  const check = async () => {
    const errors: unknown[] = [];
    const report = await checkLogHere(stores.events, KEY.keyring, stores.nodes)(new AbortController().signal, (error) => errors.push(error));
    expect(errors).toEqual([]);
    return report?.disagreements;
  };
  const inNodeStore = (sql: string) => {
    const db = new Database(join(stores.dir, 'merkle-nodes.sqlite'));
    db.pragma('busy_timeout = 5000');
    const changed = db.prepare(sql).run().changes;
    db.close();
    expect(changed).toBe(1);
  };

  it('finds a leaf altered off the right edge, never a node not stored yet', async () => {
    await grow(0, 12);
    await followToHead(stores.events, stores.nodes);
    expect(await check()).toEqual([]);
    // The follower behind the log: the leaves after its head are not stored yet.
    await grow(12, 20);
    expect(await check()).toEqual([]);

    inNodeStore("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE org = 'acme' AND level = 0 AND idx = 1");
    expect(await check()).toEqual(['org acme: its stored node at level 0, index 1 is not the one the log gives']);
  });

  it('finds a stored node missing where the stored tree covers its leaves', async () => {
    await grow(0, 12);
    await followToHead(stores.events, stores.nodes);
    inNodeStore("DELETE FROM merkle_nodes WHERE org = 'acme' AND level = 1 AND idx = 2");
    expect(await check()).toEqual(['org acme: its stored node at level 1, index 2 is missing']);
  });
});
