import { decode } from '../../src/domain/events/decode';
import type { LogEvent } from '../../src/domain/events/event-catalogue';
import type { NewEvent, RecordedEvent } from '../../src/event-store/event-store.port';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { LogIntegrityCheck } from '../../src/transparency/log-integrity';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { checkpointStream } from '../../src/domain/streams';
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
function orgLog(events: number, checkpoints: Array<{ after: number; signs: number }>, written: (event: NewEvent, index: number) => NewEvent = (event) => event): RecordedEvent[] {
  const log: RecordedEvent[] = [];
  const record = (stream: string, revision: number, event: NewEvent) => log.push({ ...event, stream, revision: BigInt(revision), position: BigInt(log.length + 1) });
  const leaves = Array.from({ length: events }, (_, i) => written(newEvent('AgentAdded', { agentId: `a-${i}`, email: `a-${i}@example.com`, displayName: `A ${i}`, role: 'MEMBER' }), i));
  const treeOf = (size: number) => {
    const tree = CompactRange.empty();
    // The record as stored, hashed as the export line is: a newer release's event too.
    for (let i = 0; i < size; i++) tree.append(leafHash(eventLeafInput({ ...leaves[i], stream: `org-${ORG}`, revision: BigInt(i), position: 0n } as RecordedEvent<LogEvent>)));
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

/** A rolling upgrade: a newer release appends events this one cannot read to the log both share. */
describe('LogIntegrityCheck: events a newer release wrote', () => {
  /** Event number 3 written by a newer release: AgentAdded of schema version 2, or a type this release does not know. */
  const newer = (change: Partial<NewEvent>) => (event: NewEvent, index: number): NewEvent => (index === 3 ? { ...event, ...change } : event);
  const log = orgLog(8, [{ after: 8, signs: 8 }], newer({ schemaVersion: 2 }));

  it('is no fault: its leaf is hashed as stored, and the checkpoint over it and beyond is checked', () => {
    const { check: integrity } = check(log);
    expect(integrity.faults()).toEqual([]);
    expect(integrity.newerEvents()).toEqual([{ orgId: ORG, index: 3, position: 4n, type: 'AgentAdded', schemaVersion: 2, count: 1 }]);
    expect(integrity.trees()).toEqual([{ orgId: ORG, signed: { size: 8, root: expect.any(Buffer) }, rootAt: expect.any(Function) }]);
    const unknown = orgLog(8, [{ after: 8, signs: 8 }], newer({ type: 'AgentNicknamed' }));
    expect(check(unknown).check.faults()).toEqual([]);
    expect(check(unknown).check.newerEvents()).toEqual([expect.objectContaining({ type: 'AgentNicknamed', schemaVersion: 1 })]);
  });

  it('finds tampering before it, at it and after it', () => {
    for (const index of [1, 3, 6]) {
      expect(check(altered(log, index)).check.faults()).toEqual([{ orgId: ORG, index: 0, reason: expect.stringContaining('events 0 to 7 do not hash to the root signed by checkpoint 0') }]);
    }
  });

  it('checks it on the second read too', () => {
    const far = orgLog(40, [{ after: 10, signs: 10 }, { after: 30, signs: 12 }, { after: 40, signs: 40 }], (event, index) => (index === 11 ? { ...event, schemaVersion: 2 } : event));
    expect(check(far)).toEqual({ check: expect.anything(), secondRead: true });
    expect(check(far).check.faults()).toEqual([]);
    expect(check(altered(far, 11)).check.faults()).toEqual([{ orgId: ORG, index: 10, reason: expect.stringContaining('events 10 to 11 do not hash to the root signed by checkpoint 1') }]);
  });

  it('skips a checkpoint this release cannot read: it vouches nothing here, and is no fault', () => {
    const checkpointV2 = orgLog(6, [{ after: 3, signs: 3 }, { after: 6, signs: 6 }]).map((record) => (record.type === 'CheckpointSigned' && record.revision === 1n ? { ...record, schemaVersion: 2, data: { signed: 'differently' } } : record));
    const { check: integrity } = check(checkpointV2);
    expect(integrity.faults()).toEqual([]);
    expect(integrity.trees()).toEqual([{ orgId: ORG, signed: { size: 3, root: expect.any(Buffer) }, rootAt: expect.any(Function) }]);
    // Named as a checkpoint: the write side refuses the org's writes, the gate signs none of it (its log is not checked past it).
    expect(integrity.newerEvents()).toEqual([expect.objectContaining({ type: 'CheckpointSigned', schemaVersion: 2, index: 6, count: 1, checkpoint: { position: 8n, type: 'CheckpointSigned', schemaVersion: 2 } })]);
  });

  it('takes no record of the checkpoint stream for a leaf, whatever type it is given there (it was one: the trees after it differed)', () => {
    const relabelled = orgLog(6, [{ after: 3, signs: 3 }, { after: 6, signs: 6 }]).map((record) => (record.type === 'CheckpointSigned' && record.revision === 0n ? { ...record, type: 'CheckpointCosigned' } : record));
    const { check: integrity, secondRead } = check(relabelled);
    expect(integrity.faults()).toEqual([]);
    expect(integrity.trees()).toEqual([{ orgId: ORG, signed: { size: 6, root: expect.any(Buffer) }, rootAt: expect.any(Function) }]);
    expect(integrity.newerEvents()).toEqual([expect.objectContaining({ index: 3, checkpoint: { position: 4n, type: 'CheckpointCosigned', schemaVersion: 1 } })]);
    // The second read agrees: a checkpoint far behind the log.
    const far = orgLog(20, [{ after: 4, signs: 4 }, { after: 20, signs: 5 }]).map((record) => (record.type === 'CheckpointSigned' && record.revision === 0n ? { ...record, type: 'CheckpointCosigned' } : record));
    expect(check(far)).toEqual({ check: expect.anything(), secondRead: true });
    expect(check(far).check.faults()).toEqual([]);
    expect(secondRead).toBe(false);
  });

  it('still faults an event of a version this release reads whose data is not an object', () => {
    const broken = orgLog(8, [{ after: 8, signs: 8 }]).map((record) => (record.data.agentId === 'a-3' ? { ...record, data: 'a-3' as unknown as RecordedEvent['data'] } : record));
    expect(check(broken).check.faults()).toEqual([{ orgId: ORG, index: 3, reason: 'the event at position 4 does not decode: cannot decode event AgentAdded v1: its data is not an object' }]);
    expect(check(broken).check.newerEvents()).toEqual([]);
  });
});

/**
 * Found from outside (R16): the write side reads an org's facts by stream, the check grouped records by the org their
 * metadata names; with write access to the log's file and no key, a promotion appended to an org's stream saying another
 * org was folded into the org's facts yet joined another tree, and checkpoint records given another type and org left the
 * org with nothing signed. A record's stream must be its org's, and hold its type.
 */
describe('LogIntegrityCheck: records out of place', () => {
  const next = (log: RecordedEvent[], record: Omit<RecordedEvent, 'position'>): RecordedEvent[] => [...log, { ...record, position: BigInt(log.length + 1) }];

  it("faults the stream's org for an event of its stream that names another org", () => {
    const log = orgLog(4, [{ after: 4, signs: 4 }]);
    const promotion = newEvent('AgentRoleChanged', { agentId: 'a-1', from: 'MEMBER', to: 'SUPER_ADMIN' });
    const injected = next(log, { ...promotion, stream: `org-${ORG}`, revision: 4n, metadata: { ...promotion.metadata, orgId: 'invented' } });
    expect(check(injected).check.faults()).toEqual([{ orgId: ORG, index: 4, reason: `the event at position 6 is in stream org-${ORG} of org ${ORG} but says it is of org invented` }]);
  });

  it('faults a type of the catalogue in a stream that holds no such event, and a record of no stream of the log', () => {
    const log = orgLog(4, [{ after: 2, signs: 2 }, { after: 4, signs: 4 }]);
    // The checkpoints made leaves: the org had nothing signed left.
    const relabelled = log.map((record) => (record.type === 'CheckpointSigned' ? { ...record, type: 'AgentAdded', data: { agentId: `c-${record.revision}`, email: 'c@example.com', displayName: 'C', role: 'MEMBER' } } : record));
    expect(check(relabelled).check.faults()).toEqual([{ orgId: ORG, index: 2, reason: 'the event at position 3 does not decode: cannot decode event AgentAdded v1: unknown event type' }]);
    const elsewhere = relabelled.map((record) => (record.stream === checkpointStream(ORG) ? { ...record, metadata: { ...record.metadata, orgId: 'invented' } } : record));
    expect(check(elsewhere).check.faults()).toEqual([{ orgId: ORG, index: 2, reason: `the event at position 3 is in stream ${checkpointStream(ORG)} of org ${ORG} but says it is of org invented` }]);
    const nowhere = log.map((record) => (record.position === 2n ? { ...record, stream: 'ledger' } : record));
    expect(check(nowhere).check.faults()).toEqual([{ orgId: ORG, index: 1, reason: 'the event at position 2: "ledger" is not a stream of the log' }]);
    // A kind's name alone, naming no org: no stream either, whatever org the record names.
    const bare = log.map((record) => (record.position === 2n ? { ...record, stream: 'org', metadata: { ...record.metadata, orgId: 'org' } } : record));
    expect(check(bare).check.faults()).toEqual([
      { orgId: ORG, index: 1, reason: 'checkpoint 0 (position 3) signs 2 events but the log holds 1 before it: an event was removed' },
      { orgId: 'org', index: 0, reason: 'the event at position 2: "org" is not a stream of the log' },
    ]);
  });
});

/**
 * Found from outside (R16): SQLite keeps text such as "0x5" in an INTEGER column and sorts it after every number; a
 * revision so rewritten read as 5 in the check, the leaf and the nodes, while the write side read the stream in another
 * order (a demotion folded before the promotion it undid). A revision or schema version stored as no integer is a fault.
 */
describe('LogIntegrityCheck: numbers and times stored otherwise than the log writes them', () => {
  it('faults a revision stored as text, a time in another form than the log writes and a schema version that is no integer', () => {
    const log = orgLog(4, [{ after: 4, signs: 4 }]);
    const hex = log.map((record) => (record.position === 3n ? { ...record, revision: '0x2' as unknown as bigint } : record));
    expect(check(hex).check.faults()).toEqual([{ orgId: ORG, index: 2, reason: 'the event at position 3 stores its revision as "0x2", no integer' }]);
    // Its stream's org, whatever org the record names.
    const elsewhere = hex.map((record) => (record.position === 3n ? { ...record, metadata: { ...record.metadata, orgId: 'invented' } } : record));
    expect(check(elsewhere).check.faults()).toEqual([{ orgId: ORG, index: 2, reason: `the event at position 3 is in stream org-${ORG} of org ${ORG} but says it is of org invented` }]);
    // Its time in another form Date reads as the same instant: the same leaf, another text for the write side.
    const time = log.map((record) => (record.position === 2n ? { ...record, metadata: { ...record.metadata, occurredAt: new Date(record.metadata.occurredAt).toUTCString() } } : record));
    expect(check(time).check.faults()).toEqual([{ orgId: ORG, index: 1, reason: expect.stringMatching(/^the event at position 2 stores its time as "\w{3}, \d\d \w{3} \d{4} [\d:]+ GMT", not as the log writes one$/) }]);
    const version = log.map((record) => (record.position === 2n ? { ...record, schemaVersion: Number.NaN } : record));
    expect(check(version).check.faults()).toEqual([{ orgId: ORG, index: 1, reason: 'the event at position 2 stores its schema version as no integer' }]);
  });
});
