import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../../src/application/command-context';
import { EventWriter } from '../../src/application/event-writer';
import { StreamStates } from '../../src/application/stream-states';
import { browserDecider } from '../../src/domain/browser/browser.decider';
import type { BrowserEvent } from '../../src/domain/browser/browser.events';
import { decode } from '../../src/domain/events/decode';
import type { LogEvent } from '../../src/domain/events/event-catalogue';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import { fold, type Decider } from '../../src/domain/shared/decider';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { agentStream, browserStream, orgStream } from '../../src/domain/streams';
import { ConcurrencyConflict, type EventStore } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { OrgEventBuilder } from '../projections/support/org-event-builder';
import { appendAll } from '../read-models/fixtures/synthetic-log';
import { AuditLogTampered, TamperedOrgs } from '../../src/application/tampered-orgs';
import Database from 'better-sqlite3';

const context = (now: string): CommandContext => ({ actor: 'carol', orgId: 'acme', correlationId: 'c', commandId: 'k', now: new Date(now) });
const authorized = (task: string): BrowserEvent => ({
  type: 'SensitiveTaskAuthorized',
  data: { agentId: 'carol', browserId: 'laptop', task, keyFingerprint: 'f1', method: 'REMEMBERED', validUntil: '2025-03-02T10:00:00.000Z' },
});
const proof = { statement: JSON.stringify({ nonce: 'n1', issuedAt: '2025-03-01T09:59:00.000Z', expiresAt: '2025-03-01T10:04:00.000Z' }), signature: 'c2ln', publicKey: 'A'.repeat(43) };
const frequencySet: BrowserEvent = {
  type: 'PromptFrequencyChanged',
  data: { agentId: 'carol', browserId: 'laptop', frequency: 'DAILY', previous: 'EVERY_TASK', reason: 'SET', keyFingerprint: 'f1', proof, signedAt: '2025-03-01T10:00:00.000Z' },
};

/** One API process: its own connection to the log file, its own stream-state cache and writer; it counts the events it reads back. */
function apiProcess(path: string) {
  const store = new SqliteEventStore({ path });
  const read: string[] = [];
  const counted: Pick<EventStore, 'readStream'> = {
    readStream: async (stream, from) => {
      const events = await store.readStream(stream, from);
      read.push(...events.map((event) => event.type));
      return events;
    },
  };
  const states = new StreamStates(counted);
  return { store, states, writer: new EventWriter(store, states, new TamperedOrgs()), read };
}

describe('StreamStates: the stream-state cache, filled on append', () => {
  let dir: string;
  let path: string;
  let one: ReturnType<typeof apiProcess>;
  let two: ReturnType<typeof apiProcess>;
  const stream = browserStream('acme', 'carol', 'laptop');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-states-'));
    path = join(dir, 'events.sqlite');
    one = apiProcess(path);
    two = apiProcess(path);
  });
  afterEach(async () => {
    await one.store.close();
    await two.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads none of its own appends back once it remembers the stream (a stream it began, once), and holds the state a fresh fold of the log gives", async () => {
    await one.writer.write(context('2025-03-01T10:00:00.000Z'), { ...(await one.states.load(stream, browserDecider)), events: [frequencySet] });
    await one.writer.write(context('2025-03-01T10:01:00.000Z'), { ...(await one.states.load(stream, browserDecider)), events: [authorized('reboot')] });
    const cached = await one.states.load(stream, browserDecider);
    expect(one.read).toEqual(['PromptFrequencyChanged']);
    const fresh = await new StreamStates(one.store).load(stream, browserDecider);
    expect(cached.state).toStrictEqual(fresh.state);
    expect({ expected: cached.expected, lastOccurredAt: cached.lastOccurredAt }).toEqual({ expected: 1n, lastOccurredAt: '2025-03-01T10:01:00.000Z' });
  });

  it("sees another process's appends on its next load (the tail is always read), and a decision on the state before them conflicts", async () => {
    await one.writer.write(context('2025-03-01T10:00:00.000Z'), { ...(await one.states.load(stream, browserDecider)), events: [frequencySet] });
    const stale = await one.states.load(stream, browserDecider);
    await two.writer.write(context('2025-03-01T10:01:00.000Z'), { ...(await two.states.load(stream, browserDecider)), events: [authorized('by two')] });
    await expect(one.writer.write(context('2025-03-01T10:02:00.000Z'), { ...stale, events: [authorized('by one')] })).rejects.toBeInstanceOf(ConcurrencyConflict);
    const reloaded = await one.states.load(stream, browserDecider);
    expect(reloaded.state.lastAuthorization?.task).toBe('by two');
    expect(reloaded.expected).toBe(1n);
    await one.writer.write(context('2025-03-01T10:02:00.000Z'), { ...reloaded, events: [authorized('by one')] });
    expect((await new StreamStates(two.store).load(stream, browserDecider)).state).toStrictEqual((await one.states.load(stream, browserDecider)).state);
  });

  /** Found from outside: a revision rewritten as text in the log's file (SQLite keeps "0x0" as text, sorted after every number) reordered the stream the write side folded. */
  it("refuses as tampering a stream whose records do not follow each other, a revision stored as text, before anything is decided on it", async () => {
    await one.writer.write(context('2025-03-01T10:00:00.000Z'), { ...(await one.states.load(stream, browserDecider)), events: [frequencySet] });
    await one.writer.write(context('2025-03-01T10:01:00.000Z'), { ...(await one.states.load(stream, browserDecider)), events: [authorized('reboot')] });
    const db = new Database(path);
    db.prepare("UPDATE events SET revision = '0x0' WHERE stream = ? AND revision = 0").run(stream);
    db.close();
    await expect(two.states.load(stream, browserDecider)).rejects.toThrow(AuditLogTampered);
    await expect(two.states.load(stream, browserDecider)).rejects.toThrow('The stored audit log of org acme does not match');
  });

  /** Found from outside: a time rewritten in another form Date reads as the same instant (the same leaf) sorted after every time the write side compared it with, freezing the stream's clock. */
  it('refuses as tampering a stream holding a time in another form than the log writes', async () => {
    await one.writer.write(context('2025-03-01T10:00:00.000Z'), { ...(await one.states.load(stream, browserDecider)), events: [frequencySet] });
    const db = new Database(path);
    db.prepare("UPDATE events SET metadata = json_set(metadata, '$.occurredAt', 'Sat Mar 01 2025 10:00:00.000 GMT') WHERE stream = ?").run(stream);
    db.close();
    await expect(two.states.load(stream, browserDecider)).rejects.toThrow(AuditLogTampered);
  });

  it('keeps a later state a load already read when an earlier append of this process is folded in after it', async () => {
    const before = await one.states.load(stream, browserDecider);
    await one.writer.write(context('2025-03-01T10:00:00.000Z'), { ...before, events: [frequencySet] });
    await two.writer.write(context('2025-03-01T10:01:00.000Z'), { ...(await two.states.load(stream, browserDecider)), events: [authorized('by two')] });
    const later = await one.states.load(stream, browserDecider);
    // The first append's result arrives late, as a slow continuation would bring it.
    one.states.appended(before, [frequencySet], 0n, '2025-03-01T10:00:00.000Z');
    expect((await one.states.load(stream, browserDecider)).state).toStrictEqual(later.state);
    expect(later.state.lastAuthorization?.task).toBe('by two');
  });
});

/** A log file of its own for each test of the calling describe block. */
function freshLog(prefix: string): { readonly store: SqliteEventStore } {
  let dir: string;
  const log = {} as { store: SqliteEventStore };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    log.store = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
  });
  afterEach(async () => {
    await log.store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return log;
}

describe('StreamStates.loadAt: a stream as of a log position', () => {
  const log = freshLog('ztkeys-states-at-');

  /** The definition: every event of the stream up to the position, folded from the start. */
  const foldedUpTo = async <S, E extends LogEvent>(stream: string, decider: Decider<never, S, E>, position: bigint): Promise<S> =>
    fold(decider, (await log.store.readStream(stream)).filter((event) => event.position <= position).map((event) => decode(event, decider.events)));

  it('equals a fold of the stream up to the position, asked forward, backward and forward again, between its events and after other streams', async () => {
    // Given: an org whose directory (its stream) grows between other streams' events (key requests, approvals).
    const builder = new OrgEventBuilder('acme');
    const commands = [builder.createOrganization('root'), builder.requestKey('root', undefined, true)];
    for (let i = 0; i < 6; i++) {
      commands.push(builder.addAgent('root', `a${i}`, i % 2 === 0 ? 'ADMIN' : 'MEMBER'), builder.requestKey(`a${i}`));
      if (i % 3 === 0) commands.push(builder.approve('root', `a${i}`), builder.changeRole('root', `a${i}`, 'ADMIN', 'MEMBER'));
    }
    await appendAll(log.store, commands, 1);
    const head = (await log.store.headPosition())!;
    const org = orgStream('acme');
    const positions = [...Array(Number(head) + 3).keys()].map((n) => BigInt(n) - 1n); // -1 .. head + 1
    const asked = [...positions, ...[...positions].reverse(), ...positions.filter((_, i) => i % 3 === 0), head + 5n, 2n, head];

    // When one StreamStates is asked for the org and for an agent in that order: then each state is the fold up to the position.
    const states = new StreamStates(log.store);
    for (const position of asked) {
      expect(await states.loadAt(org, organizationDecider, position)).toStrictEqual(await foldedUpTo(org, organizationDecider, position));
      const agent = agentStream('acme', 'a0');
      expect(await states.loadAt(agent, keyDecider, position)).toStrictEqual(await foldedUpTo(agent, keyDecider, position));
    }
  });

  it('asked forward, reads each of the stream\'s events once', async () => {
    const builder = new OrgEventBuilder('acme');
    const commands = [builder.createOrganization('root')];
    for (let i = 0; i < 20; i++) commands.push(builder.addAgent('root', `a${i}`, 'MEMBER'), builder.requestKey(`a${i}`));
    await appendAll(log.store, commands, 1);
    const read: bigint[] = [];
    const states = new StreamStates({
      readStream: async (stream, from, options) => {
        const events = await log.store.readStream(stream, from, options);
        read.push(...events.map((event) => event.revision));
        return events;
      },
    });
    for (let position = 0n; position <= (await log.store.headPosition())!; position++) await states.loadAt(orgStream('acme'), organizationDecider, position);
    expect(read).toEqual([...Array(22).keys()].map(BigInt));
  });
});

describe('StreamStates: bounded by the events folded into the states it holds', () => {
  const log = freshLog('ztkeys-states-bound-');

  /** Orgs of `agents[i]` agents each, named org-i; their streams' event counts. */
  async function orgs(...agents: number[]): Promise<number[]> {
    for (const [i, count] of agents.entries()) {
      const builder = new OrgEventBuilder(`org-${i}`);
      await appendAll(log.store, [builder.createOrganization('root'), ...[...Array(count).keys()].map((n) => builder.addAgent('root', `a${n}`, 'MEMBER'))], 1);
    }
    return Promise.all(agents.map(async (_, i) => (await log.store.readStream(orgStream(`org-${i}`))).length));
  }

  function countingStates(events: number) {
    const read: string[] = [];
    const states = new StreamStates(
      {
        readStream: async (stream, from, options) => {
          const found = await log.store.readStream(stream, from, options);
          read.push(...found.map(() => stream));
          return found;
        },
      },
      { states: 100, events },
    );
    return { states, reads: (stream: string) => read.filter((s) => s === stream).length };
  }

  it('keeps states while their events fit, folds a stream of more events than the bound at each load, and lets the least recently used go first', async () => {
    // Given: three small orgs and a large one; a bound that holds two small orgs' events, not three, nor the large one's.
    const [small, large, other, third] = await orgs(1, 6, 1, 1);
    expect([other, third, large > 2 * small]).toEqual([small, small, true]);
    const { states, reads } = countingStates(2 * small);
    const [s, l, o, t] = [0, 1, 2, 3].map((i) => orgStream(`org-${i}`));

    // Each state is the fold of its stream; the small org's is read once, the large one's at each load.
    for (let round = 0; round < 2; round++) {
      for (const stream of [s, l]) expect((await states.load(stream, organizationDecider)).state).toStrictEqual((await new StreamStates(log.store).load(stream, organizationDecider)).state);
    }
    expect([reads(s), reads(l)]).toEqual([small, 2 * large]);
    for (let round = 0; round < 2; round++) await states.loadAt(l, organizationDecider, (await log.store.headPosition())!);
    expect(reads(l)).toBe(4 * large);

    // A second small org fits beside the first; a third does not: the least recently used leaves.
    await states.load(o, organizationDecider);
    await states.load(s, organizationDecider);
    await states.load(t, organizationDecider);
    await states.load(s, organizationDecider);
    await states.load(o, organizationDecider);
    expect([reads(s), reads(o), reads(t)]).toEqual([small, 2 * small, small]);
  });
});

describe('StreamStates: a long stream folded a page at a time', () => {
  const log = freshLog('ztkeys-states-pages-');

  it("lets other tasks run while it folds a stream it holds no state of (a large org's first load), current and as of a position, into the fold of the whole stream", async () => {
    // Given: an org of 2,500 agents, its directory more events than a page.
    const builder = new OrgEventBuilder('acme');
    await appendAll(log.store, [builder.createOrganization('root'), ...[...Array(2500).keys()].map((n) => builder.addAgent('root', `a${n}`, 'MEMBER'))], 200);
    const org = orgStream('acme');
    const whole = fold(organizationDecider, (await log.store.readStream(org)).map((event) => decode(event, organizationDecider.events)));
    const head = (await log.store.headPosition())!;

    // When a fresh StreamStates loads it, with a task queued for the event loop's next turn: then the task runs before the load ends.
    for (const loaded of [async (states: StreamStates) => (await states.load(org, organizationDecider)).state, (states: StreamStates) => states.loadAt(org, organizationDecider, head)]) {
      const order: string[] = [];
      setImmediate(() => order.push('another task'));
      const state = await loaded(new StreamStates(log.store));
      order.push('loaded');
      expect(order).toEqual(['another task', 'loaded']);
      expect(state).toStrictEqual(whole);
    }
  });
});
