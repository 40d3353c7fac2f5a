import { decode } from '../../src/domain/events/decode';
import type { NewEvent, RecordedEvent } from '../../src/event-store/event-store.port';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { LogIntegrityCheck } from '../../src/transparency/log-integrity';
import { checkpointEvent, checkpointStream } from '../../src/transparency/log-checkpointer';
import { logKeyOf } from '../../src/transparency/log-key';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { newEvent } from '../event-store/event-factory';

const signer = signerFromSeed('test.local/audit-log', Buffer.alloc(32, 3));
const ORG = 'org-1';
/** Leaf hashes kept after an org's tree edge, small here: the checks below go past it. */
const WINDOW = 4;

/**
 * One org's log as the store records it: `events` AgentAdded events on the org stream, and a
 * checkpoint after event number `after` signing the tree of the first `signs` events, for each
 * checkpoint asked. The log the checker reads is in memory: what it checks is the records' order
 * and content, not a store.
 */
function orgLog(events: number, checkpoints: Array<{ after: number; signs: number }>): RecordedEvent[] {
  const log: RecordedEvent[] = [];
  const record = (stream: string, revision: number, event: NewEvent) => log.push({ ...event, stream, revision: BigInt(revision), position: BigInt(log.length + 1) });
  const leaves = Array.from({ length: events }, (_, i) => newEvent('AgentAdded', { agentId: `a-${i}`, email: `a-${i}@example.com`, displayName: `A ${i}`, role: 'MEMBER' }));
  const treeOf = (size: number) => {
    const tree = CompactRange.empty();
    for (let i = 0; i < size; i++) tree.append(leafHash(eventLeafInput(decode({ ...leaves[i], stream: `org-${ORG}`, revision: BigInt(i), position: 0n }))));
    return tree;
  };
  let signed = 0;
  for (let i = 0; i < events; i++) {
    record(`org-${ORG}`, i, leaves[i]);
    for (const checkpoint of checkpoints.filter(({ after }) => after === i + 1)) {
      record(checkpointStream(ORG), signed++, checkpointEvent(signer, ORG, treeOf(checkpoint.signs), new Date('2026-01-01T00:00:00Z')));
    }
  }
  return log;
}

/** The check as the server runs it: the log read once, then again from its start while a second read is asked for. */
function check(log: RecordedEvent[]): { check: LogIntegrityCheck; secondRead: boolean } {
  const integrity = new LogIntegrityCheck(logKeyOf(signer).keyring, WINDOW);
  for (const record of log) integrity.apply(record);
  const second = integrity.secondRead();
  for (const record of log) {
    if (!second || second.done) break;
    second.apply(record);
  }
  return { check: integrity, secondRead: second !== undefined };
}

/** The log with the data of the org's event number `index` changed after the checkpoints were signed. */
const altered = (log: RecordedEvent[], index: number): RecordedEvent[] =>
  log.map((record) => (record.data.agentId === `a-${index}` ? { ...record, data: { ...record.data, displayName: 'Mallory' } } : record));

describe('LogIntegrityCheck: a bounded number of leaf hashes per org', () => {
  it('checks a checkpoint that signs a long stretch without one (more leaves than it keeps) in one read', () => {
    const log = orgLog(50, [{ after: 50, signs: 50 }]);
    const { check: integrity, secondRead } = check(log);
    expect(integrity.faults()).toEqual([]);
    expect(secondRead).toBe(false);
    expect(integrity.trees()).toEqual([{ orgId: ORG, signed: { size: 50, root: expect.any(Buffer) }, rootAt: expect.any(Function) }]);
    expect(check(altered(log, 7)).check.faults()).toEqual([{ orgId: ORG, index: 0, reason: expect.stringContaining('events 0 to 49 do not hash to the root signed by checkpoint 0') }]);
  });

  it("gives each org's root beyond its latest checkpoint, up to the leaves read, as the log re-derives it (what stored nodes not signed yet are compared with)", () => {
    const log = orgLog(12, [{ after: 6, signs: 6 }]);
    const [tree] = check(log).check.trees();
    const rootOf = (size: number) => {
      const leaves = CompactRange.empty();
      for (const record of log.filter((one) => one.type === 'AgentAdded').slice(0, size)) leaves.append(leafHash(eventLeafInput(decode(record))));
      return leaves.root();
    };
    expect(tree.signed?.size).toBe(6);
    expect([tree.rootAt(7), tree.rootAt(12)]).toEqual([rootOf(7), rootOf(12)]);
    expect(tree.rootAt(13)).toBeUndefined();
  });

  it('checks a checkpoint up to its window behind the log in one read', () => {
    const { check: integrity, secondRead } = check(orgLog(30, [{ after: 30, signs: 30 - WINDOW }]));
    expect(integrity.faults()).toEqual([]);
    expect(secondRead).toBe(false);
  });

  it('checks a checkpoint further behind the log than the leaves it keeps on a second read, and names the range of an altered event', () => {
    const log = orgLog(40, [
      { after: 10, signs: 10 },
      { after: 30, signs: 12 },
      { after: 40, signs: 40 },
    ]);
    const { check: integrity, secondRead } = check(log);
    expect(secondRead).toBe(true);
    expect(integrity.faults()).toEqual([]);
    expect(integrity.trees()).toEqual([{ orgId: ORG, signed: { size: 40, root: expect.any(Buffer) }, rootAt: expect.any(Function) }]);

    // Event 11 is under the second checkpoint only (10 to 11), which only the second read checks.
    const faults = check(altered(log, 11)).check.faults();
    expect(faults).toEqual([{ orgId: ORG, index: 10, reason: expect.stringContaining('events 10 to 11 do not hash to the root signed by checkpoint 1') }]);
  });

  it('reports a root the second read never reaches: the log lost events after the first read', () => {
    const log = orgLog(40, [{ after: 30, signs: 12 }]);
    const integrity = new LogIntegrityCheck(logKeyOf(signer).keyring, WINDOW);
    for (const record of log) integrity.apply(record);
    const second = integrity.secondRead()!;
    for (const record of log.slice(0, 5)) second.apply(record);
    expect(second.done).toBe(false);
    expect(integrity.faults()).toEqual([{ orgId: ORG, index: 5, reason: expect.stringContaining('signs 12 events but the log now holds 5') }]);
  });
});
