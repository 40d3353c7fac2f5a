import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../../src/application/command-context';
import { EventWriter, guard } from '../../src/application/event-writer';
import { StreamStates } from '../../src/application/stream-states';
import { AuditLogTampered, TamperedOrgs } from '../../src/application/tampered-orgs';
import { browserDecider } from '../../src/domain/browser/browser.decider';
import type { BrowserEvent } from '../../src/domain/browser/browser.events';
import { browserStream } from '../../src/domain/streams';
import { ConcurrencyConflict } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';

const refused: BrowserEvent = { type: 'SensitiveTaskRefused', data: { agentId: 'carol', browserId: 'laptop', task: 'reboot', reason: 'NO_ACTIVE_KEY' } };
const context = (now: string): CommandContext => ({ actor: 'carol', orgId: 'acme', correlationId: 'c', commandId: 'k', now: new Date(now) });

describe('EventWriter', () => {
  let dir: string;
  let store: SqliteEventStore;
  let states: StreamStates;
  let writer: EventWriter;
  const stream = browserStream('acme', 'carol', 'laptop');
  const other = browserStream('acme', 'carol', 'tablet');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-writer-'));
    store = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    states = new StreamStates(store);
    // No org found tampered: the refusal has its own test below.
    writer = new EventWriter(store, states, new TamperedOrgs());
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never lets occurredAt go backwards within a stream, whatever the command clock says (R17)', async () => {
    await writer.write(context('2025-03-01T10:05:00.000Z'), { ...(await states.load(stream, browserDecider)), events: [refused] });
    // The clock stepped back five minutes.
    await writer.write(context('2025-03-01T10:00:00.000Z'), { ...(await states.load(stream, browserDecider)), events: [refused] });
    await writer.write(context('2025-03-01T10:06:00.000Z'), { ...(await states.load(stream, browserDecider)), events: [refused] });
    const times = (await store.readStream(stream)).map((event) => event.metadata.occurredAt);
    expect(times).toEqual(['2025-03-01T10:05:00.000Z', '2025-03-01T10:05:00.000Z', '2025-03-01T10:06:00.000Z']);
  });

  it('dates a write no earlier than the last event of a stream it only read (a decision is never dated before a fact it relied on)', async () => {
    // Given another stream written by an instance whose clock is a minute ahead
    await writer.write(context('2025-03-01T10:01:00.000Z'), { ...(await states.load(other, browserDecider)), events: [refused] });
    // When a command at 10:00 writes, having read it
    await writer.write(context('2025-03-01T10:00:00.000Z'), { ...(await states.load(stream, browserDecider)), events: [refused] }, guard(await states.load(other, browserDecider)));
    // Then it is dated at that stream's time
    expect((await store.readStream(stream)).map((event) => event.metadata.occurredAt)).toEqual(['2025-03-01T10:01:00.000Z']);
    // But a stream read that is dated further ahead than the clocks may be apart (2 minutes: a clock fault) does not date it in its future
    await writer.write(context('2025-03-01T10:05:00.000Z'), { ...(await states.load(other, browserDecider)), events: [refused] });
    await writer.write(context('2025-03-01T10:02:00.000Z'), { ...(await states.load(stream, browserDecider)), events: [refused] }, guard(await states.load(other, browserDecider)));
    expect((await store.readStream(stream)).map((event) => event.metadata.occurredAt)).toEqual(['2025-03-01T10:01:00.000Z', '2025-03-01T10:02:00.000Z']);
  });

  it('turns a decision with no events into a guard: the write fails when that stream moved', async () => {
    const read = await states.load(other, browserDecider);
    await writer.write(context('2025-03-01T10:00:00.000Z'), { ...read, events: [refused] });
    const target = await states.load(stream, browserDecider);
    await expect(writer.write(context('2025-03-01T10:01:00.000Z'), { ...target, events: [refused] }, guard(read))).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    expect(await store.readStream(stream)).toEqual([]);
    expect(await writer.write(context('2025-03-01T10:01:00.000Z'), guard(read))).toBeUndefined();
  });

  it('is not built without the orgs it refuses: a writer that forgot them would take every write of a tampered org', () => {
    // @ts-expect-error TamperedOrgs is required (npm run typecheck fails where this line compiles)
    expect(() => new EventWriter(store, states)).toThrow(TypeError);
  });

  it("appends nothing for an org whose stored log the server's check found altered, until a check finds it whole", async () => {
    // Given the check found the log of acme altered
    const tampered = new TamperedOrgs();
    tampered.found({ tampered: ['acme'], unreadCheckpoints: [] });
    const guarded = new EventWriter(store, states, tampered);
    // When a command of acme writes, then it is refused and nothing is appended; another org writes as before
    await expect(guarded.write(context('2025-03-01T10:00:00.000Z'), { ...(await states.load(stream, browserDecider)), events: [refused] })).rejects.toBeInstanceOf(AuditLogTampered);
    expect(await store.readStream(stream)).toEqual([]);
    const elsewhere = browserStream('globex', 'carol', 'laptop');
    await guarded.write({ ...context('2025-03-01T10:00:00.000Z'), orgId: 'globex' }, { ...(await states.load(elsewhere, browserDecider)), events: [refused] });
    expect(await store.readStream(elsewhere)).toHaveLength(1);
    // When a later check finds acme's log whole, then its writes go through again
    tampered.found({ tampered: [], unreadCheckpoints: [] });
    await guarded.write(context('2025-03-01T10:01:00.000Z'), { ...(await states.load(stream, browserDecider)), events: [refused] });
    expect(await store.readStream(stream)).toHaveLength(1);
  });
});
