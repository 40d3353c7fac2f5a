import { v5 as uuidv5 } from 'uuid';
import {
  ConcurrencyConflict,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../src/event-store/event-store.port';
import { PositionNotInLog } from '../../src/event-store/position-not-in-log';
import { newEvent, newEvents, uniqueStream } from './event-factory';

const ids = (events: { id: string }[]): string[] => events.map((event) => event.id);

/** Resolves once `done` holds; `check` is called by whoever changes the state. */
function condition(done: () => boolean): { check: () => void; reached: Promise<void> } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  const check = (): void => {
    if (done()) resolve();
  };
  return { check, reached };
}

/**
 * The EventStore port's contract. Any adapter runs it unchanged: it uses the port only and
 * unique stream names, so it also runs against a shared server.
 */
export function describeEventStoreContract(
  name: string,
  open: () => Promise<EventStore>,
  close: (store: EventStore) => Promise<void> = (store) => store.close(),
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;

    beforeAll(async () => {
      store = await open();
    });

    afterAll(async () => {
      await close(store);
    });

    async function expectConflict(append: Promise<AppendResult>, stream: string): Promise<ConcurrencyConflict> {
      const error: unknown = await append.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConcurrencyConflict);
      expect((error as ConcurrencyConflict).stream).toBe(stream);
      return error as ConcurrencyConflict;
    }

    describe('append and readStream', () => {
      it('creates a stream with no_stream and numbers its events from revision 0', async () => {
        const stream = uniqueStream('create');
        const events = newEvents(3);
        const result = await store.append([{ stream, expected: 'no_stream', events }]);

        expect(result.revisions).toEqual(new Map([[stream, 2n]]));
        const read = await store.readStream(stream);
        expect(ids(read)).toEqual(ids(events));
        expect(read.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
        expect(read.every((event) => event.stream === stream)).toBe(true);
        expect(read[2].position).toBe(result.position);
      });

      it('appends at the exact revision of the last event', async () => {
        const stream = uniqueStream('exact');
        await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
        const second = await store.append([{ stream, expected: 0n, events: newEvents(2) }]);
        const third = await store.append([{ stream, expected: 2n, events: [newEvent()] }]);

        expect(second.revisions.get(stream)).toBe(2n);
        expect(third.revisions.get(stream)).toBe(3n);
        expect(third.position).toBeGreaterThan(second.position);
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n]);
      });

      it('appends with any, whether the stream exists or not', async () => {
        const stream = uniqueStream('any');
        const first = await store.append([{ stream, expected: 'any', events: [newEvent()] }]);
        const second = await store.append([{ stream, expected: 'any', events: newEvents(2) }]);

        expect(first.revisions.get(stream)).toBe(0n);
        expect(second.revisions.get(stream)).toBe(2n);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('reads a stream from a revision, inclusive; a missing stream reads empty', async () => {
        const stream = uniqueStream('from');
        const events = newEvents(5);
        await store.append([{ stream, expected: 'no_stream', events }]);

        expect(ids(await store.readStream(stream, 3n))).toEqual(ids(events.slice(3)));
        expect(ids(await store.readStream(stream, 0n))).toEqual(ids(events));
        expect(await store.readStream(stream, 5n)).toEqual([]);
        expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
      });

      it('reads a stream from a revision up to a log position, inclusive, whatever other streams hold between', async () => {
        const stream = uniqueStream('up-to');
        const other = uniqueStream('up-to-other');
        const first = await store.append([{ stream, expected: 'no_stream', events: newEvents(2) }]);
        const between = await store.append([{ stream: other, expected: 'no_stream', events: [newEvent()] }]);
        const last = await store.append([{ stream, expected: 1n, events: newEvents(2) }]);
        const all = await store.readStream(stream);
        const revisions = async (from: bigint, to: bigint) => (await store.readStream(stream, from, { toPosition: to })).map((event) => event.revision);

        expect(await revisions(0n, first.position)).toEqual([0n, 1n]);
        expect(await revisions(0n, between.position)).toEqual([0n, 1n]);
        expect(await revisions(1n, all[2].position)).toEqual([1n, 2n]);
        expect(await revisions(2n, last.position)).toEqual([2n, 3n]);
        expect(await revisions(0n, all[0].position - 1n)).toEqual([]);
        expect(await revisions(2n, first.position)).toEqual([]);
        expect(await store.readStream(uniqueStream('missing'), 0n, { toPosition: last.position })).toEqual([]);
      });

      it('reads at most maxCount events of a stream from a revision, up to a log position or not', async () => {
        const stream = uniqueStream('pages');
        await store.append([{ stream, expected: 'no_stream', events: newEvents(5) }]);
        const all = await store.readStream(stream);
        const revisions = async (from: bigint, maxCount: number, toPosition?: bigint) => (await store.readStream(stream, from, { maxCount, toPosition })).map((event) => event.revision);

        expect(await revisions(0n, 2)).toEqual([0n, 1n]);
        // A page that ended before the stream did is no end: the next one from there reads on.
        expect(await revisions(2n, 2)).toEqual([2n, 3n]);
        expect(await revisions(4n, 2)).toEqual([4n]);
        expect(await revisions(5n, 2)).toEqual([]);
        expect(await revisions(3n, 10)).toEqual([3n, 4n]);
        expect(await revisions(1n, 3, all[2].position)).toEqual([1n, 2n]);
        expect(await revisions(0n, 2, all[4].position)).toEqual([0n, 1n]);
        await expect(store.readStream(stream, 0n, { maxCount: 0 })).rejects.toThrow(RangeError);
      });
    });

    describe('every append path, every read', () => {
      /** An event that every JSON type, unicode, nesting and a schema version other than 1 go through. */
      const richEvent = (): NewEvent => {
        const event: NewEvent = {
          ...newEvent('KeyRequested', {
            name: 'Zoë 名前 🔑 \u0000 "quoted" \\ back',
            nested: { list: [1, 'two', { three: [null, true, false] }], empty: {}, none: [] },
            number: -12.5e-3,
            big: Number.MAX_SAFE_INTEGER,
            nothing: null,
          }),
          schemaVersion: 3,
        };
        event.metadata = { ...event.metadata, actor: 'ägent ✓', orgId: 'org-ü' };
        return event;
      };

      // An adapter may write each of these its own way (KurrentDB: three calls of the server), and read each way its own way too.
      it.each([
        ['to one stream', (stream: string, event: NewEvent) => store.append([{ stream, expected: 'no_stream', events: [event] }])],
        [
          'to several streams',
          (stream: string, event: NewEvent) =>
            store.append([
              { stream: uniqueStream('beside'), expected: 'no_stream', events: [newEvent()] },
              { stream, expected: 'no_stream', events: [event] },
            ]),
        ],
        ['with guards', (stream: string, event: NewEvent) => store.append([{ stream, expected: 'no_stream', events: [event] }], [{ stream: uniqueStream('guard'), expected: 'no_stream' }])],
      ])('records type, schema version, data and metadata as given when appended %s, and every read returns it the same', async (_, append) => {
        // Named as the application names streams: mixed case, '~', '.', '@' (src/domain/streams.ts).
        const stream = `agent-${uniqueStream('Org')}~Alice.B@example`;
        const event = richEvent();
        const before = await store.headPosition();
        const result = await append(stream, event);

        // Callers look their stream's revision up by the name they gave (log-checkpointer.ts, event-writer.ts).
        expect(result.revisions.get(stream)).toBe(0n);
        const [read] = await store.readStream(stream);
        expect(read).toEqual({ ...event, stream, revision: 0n, position: result.position });
        expect(typeof read.position).toBe('bigint');
        expect(typeof read.revision).toBe('bigint');
        expect(await store.eventAt(read.position)).toEqual(read);
        expect((await store.readAll(before, 1_000)).find((recorded) => recorded.id === event.id)).toEqual(read);
        const delivered: RecordedEvent[] = [];
        const arrived = condition(() => delivered.length === 1);
        const subscription = store.subscribeToAll({
          after: before,
          handler: (recorded) => {
            if (recorded.id !== event.id) return;
            delivered.push(recorded);
            arrived.check();
          },
        });
        await arrived.reached;
        await subscription.stop();
        expect(delivered).toEqual([read]);
      });
    });

    describe('expected revision', () => {
      it.each([
        ['no_stream on an existing stream', 'no_stream' as const, true, 0n],
        ['an exact revision on a missing stream', 0n, false, 'no_stream' as const],
        ['a stale exact revision', 1n, true, 0n],
        ['a revision ahead of the stream', 5n, true, 0n],
      ])('refuses %s with ConcurrencyConflict and writes nothing', async (_, expected, exists, actual) => {
        const stream = uniqueStream('conflict');
        if (exists) await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
        const before = await store.readStream(stream);
        const head = await store.headPosition();

        const conflict = await expectConflict(store.append([{ stream, expected, events: newEvents(2) }]), stream);

        expect(conflict.expected).toBe(expected);
        expect(conflict.actual).toBe(actual);
        expect(await store.readStream(stream)).toEqual(before);
        expect(await store.headPosition()).toBe(head);
      });

      it('lets exactly one of many concurrent appends at the same revision win', async () => {
        const stream = uniqueStream('race');
        await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
        const contenders = Array.from({ length: 25 }, () => newEvents(2));

        const settled = await Promise.allSettled(
          contenders.map((events) => store.append([{ stream, expected: 0n, events }])),
        );

        const winners = settled.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of settled) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConcurrencyConflict);
        }
        const read = await store.readStream(stream, 1n);
        expect(ids(read)).toEqual(ids(contenders[winners[0]]));
      });

      it('lets exactly one of many concurrent stream creations win', async () => {
        const stream = uniqueStream('create-race');
        const settled = await Promise.allSettled(
          Array.from({ length: 25 }, () => store.append([{ stream, expected: 'no_stream', events: [newEvent()] }])),
        );

        expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('multi-stream appends', () => {
      it('writes every stream of a call, in call order with adjacent positions', async () => {
        const a = uniqueStream('multi-a');
        const b = uniqueStream('multi-b');
        const eventsA = newEvents(2);
        const eventsB = newEvents(2);
        await store.append([{ stream: b, expected: 'no_stream', events: [newEvent()] }]);

        const result = await store.append([
          { stream: a, expected: 'no_stream', events: eventsA },
          { stream: b, expected: 0n, events: eventsB },
        ]);

        expect(result.revisions).toEqual(new Map([[a, 1n], [b, 2n]]));
        const [firstOfCall] = await store.readStream(a);
        const rest = await store.readAll(firstOfCall.position, 3);
        expect(ids(rest)).toEqual(ids([...eventsA.slice(1), ...eventsB]));
        expect(rest[2].position).toBe(result.position);
      });

      it('refuses a call that writes one stream twice, writing nothing', async () => {
        const stream = uniqueStream('twice');
        const head = await store.headPosition();
        await expect(
          store.append([
            { stream, expected: 'no_stream', events: [newEvent()] },
            { stream, expected: 'any', events: [newEvent()] },
          ]),
        ).rejects.toThrow(TypeError);
        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.headPosition()).toBe(head);
      });

      it("writes nothing when one write's revision is wrong", async () => {
        const fresh = uniqueStream('atomic-fresh');
        const existing = uniqueStream('atomic-existing');
        await store.append([{ stream: existing, expected: 'no_stream', events: [newEvent()] }]);
        const before = await store.readStream(existing);
        const head = await store.headPosition();

        await expectConflict(
          store.append([
            { stream: fresh, expected: 'no_stream', events: newEvents(2) },
            { stream: existing, expected: 'no_stream', events: [newEvent()] },
          ]),
          existing,
        );

        expect(await store.readStream(fresh)).toEqual([]);
        expect(await store.readStream(existing)).toEqual(before);
        expect(await store.headPosition()).toBe(head);
        // The refused call left the fresh stream free.
        const retried = await store.append([{ stream: fresh, expected: 'no_stream', events: [newEvent()] }]);
        expect(retried.revisions.get(fresh)).toBe(0n);
      });
    });

    describe('guards (streams read, not written)', () => {
      it('writes when every guarded stream is where the decision saw it, and leaves the guarded streams alone', async () => {
        const written = uniqueStream('guarded-write');
        const read = uniqueStream('guard-read');
        const missing = uniqueStream('guard-missing');
        await store.append([{ stream: read, expected: 'no_stream', events: newEvents(2) }]);

        const result = await store.append([{ stream: written, expected: 'no_stream', events: [newEvent()] }], [
          { stream: read, expected: 1n },
          { stream: missing, expected: 'no_stream' },
        ]);

        expect(result.revisions).toEqual(new Map([[written, 0n]]));
        expect(await store.readStream(read)).toHaveLength(2);
        expect(await store.readStream(missing)).toEqual([]);
      });

      it.each([
        ['moved past the revision', 0n],
        ['created after it was seen missing', 'no_stream' as const],
      ])('refuses, naming the guarded stream, and writes nothing when it %s', async (_, expected) => {
        const written = uniqueStream('guarded-write');
        const read = uniqueStream('guard-read');
        await store.append([{ stream: read, expected: 'no_stream', events: newEvents(2) }]);
        const head = await store.headPosition();

        const conflict = await expectConflict(
          store.append([{ stream: written, expected: 'no_stream', events: [newEvent()] }], [{ stream: read, expected }]),
          read,
        );

        expect(conflict.expected).toBe(expected);
        expect(conflict.actual).toBe(1n);
        expect(await store.readStream(written)).toEqual([]);
        expect(await store.headPosition()).toBe(head);
      });

      it("still checks the written streams' own revisions", async () => {
        const written = uniqueStream('guarded-write');
        const read = uniqueStream('guard-read');
        await store.append([{ stream: written, expected: 'no_stream', events: [newEvent()] }]);
        await expectConflict(
          store.append([{ stream: written, expected: 'no_stream', events: [newEvent()] }], [{ stream: read, expected: 'no_stream' }]),
          written,
        );
      });

      it('checks a guard on a written stream against the stream before the append', async () => {
        const stream = uniqueStream('guarded-self');
        await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
        const result = await store.append([{ stream, expected: 0n, events: [newEvent()] }], [{ stream, expected: 0n }]);
        expect(result.revisions).toEqual(new Map([[stream, 1n]]));
      });

      it('lets no decision commit on a fact that a concurrent append changed', async () => {
        const read = uniqueStream('guard-race');
        await store.append([{ stream: read, expected: 'no_stream', events: [newEvent()] }]);
        const decisions = Array.from({ length: 5 }, () => uniqueStream('guarded-decision'));

        const outcomes = await Promise.allSettled([
          store.append([{ stream: read, expected: 0n, events: [newEvent()] }]),
          ...decisions.map((stream) => store.append([{ stream, expected: 'no_stream', events: [newEvent()] }], [{ stream: read, expected: 0n }])),
        ]);

        const [change, ...guarded] = outcomes;
        expect(change.status).toBe('fulfilled');
        const changedAt = (change as PromiseFulfilledResult<AppendResult>).value.position;
        for (const outcome of guarded) {
          // A guarded decision is either refused or recorded before the change, never after it.
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConcurrencyConflict);
          else expect(outcome.value.position).toBeLessThan(changedAt);
        }
      });

      it('returns the original result of a guarded append retried after the guarded stream moved', async () => {
        const written = uniqueStream('guarded-retry');
        const read = uniqueStream('guard-read');
        const writes = [{ stream: written, expected: 'no_stream' as const, events: [newEvent()] }];
        const first = await store.append(writes, [{ stream: read, expected: 'no_stream' }]);
        await store.append([{ stream: read, expected: 'no_stream', events: [newEvent()] }]);

        expect(await store.append(writes, [{ stream: read, expected: 'no_stream' }])).toEqual(first);
      });
    });

    describe('idempotent retries', () => {
      it.each([
        ['no_stream', 'no_stream' as const],
        ['an exact revision', 0n],
        ['any', 'any' as const],
      ])('returns the original result when the same events are appended again with %s', async (_, expected) => {
        const stream = uniqueStream('retry');
        const before = expected === 0n ? [newEvent()] : [];
        if (before.length > 0) await store.append([{ stream, expected: 'no_stream', events: before }]);
        const events = newEvents(2);
        const first = await store.append([{ stream, expected, events }]);

        const again = await store.append([{ stream, expected, events }]);

        expect(again).toEqual(first);
        expect(ids(await store.readStream(stream))).toEqual(ids([...before, ...events]));
      });

      it('returns the original result of a multi-stream append retried after the streams moved on', async () => {
        const a = uniqueStream('retry-a');
        const b = uniqueStream('retry-b');
        const writes = [
          { stream: a, expected: 'no_stream' as const, events: newEvents(1) },
          { stream: b, expected: 'no_stream' as const, events: newEvents(2) },
        ];
        const first = await store.append(writes);
        await store.append([{ stream: a, expected: 0n, events: [newEvent()] }]);

        expect(await store.append(writes)).toEqual(first);
        expect(await store.readStream(a)).toHaveLength(2);
        expect(await store.readStream(b)).toHaveLength(2);
      });

      it('gives each of many concurrent appends of the same events, with name-based ids (UUIDv5), the one result, writing them once', async () => {
        // What a command sent with an Idempotency-Key relies on (src/application/idempotency.ts).
        const stream = uniqueStream('retry-race');
        const events = newEvents(2).map((event, i) => ({ ...event, id: uuidv5(`${stream}\n${i}`, uuidv5.URL) }));
        const guarded = uniqueStream('retry-race-guard');

        const results = await Promise.all(Array.from({ length: 10 }, () => store.append([{ stream, expected: 'no_stream', events }], [{ stream: guarded, expected: 'no_stream' }])));

        for (const result of results) expect(result).toEqual(results[0]);
        expect(ids(await store.readStream(stream))).toEqual(ids(events));
      });

      it('gives concurrent appends of the same events at an exact revision, guarded, the one result, writing them once', async () => {
        // A keyed command on a stream that already exists (a browser's sensitive task): src/application/use-cases/browser-actions.ts.
        const stream = uniqueStream('retry-race-revision');
        const guarded = uniqueStream('retry-race-revision-guard');
        const before = [newEvent()];
        await store.append([{ stream, expected: 'no_stream', events: before }]);
        await store.append([{ stream: guarded, expected: 'no_stream', events: [newEvent()] }]);
        const events = [{ ...newEvent(), id: uuidv5(`${stream}\n0`, uuidv5.URL) }];

        const results = await Promise.all(Array.from({ length: 10 }, () => store.append([{ stream, expected: 0n, events }], [{ stream: guarded, expected: 0n }])));

        for (const result of results) expect(result).toEqual(results[0]);
        expect(ids(await store.readStream(stream))).toEqual(ids([...before, ...events]));
      });

      it('still refuses new events at a revision taken by other events', async () => {
        const stream = uniqueStream('retry-other');
        await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
        await expectConflict(store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]), stream);
      });
    });

    describe('the global log', () => {
      it('pages through readAll with an exclusive after, positions strictly increasing', async () => {
        const stream = uniqueStream('paging');
        const events = newEvents(7);
        await store.append([{ stream, expected: 'no_stream', events }]);
        const [first] = await store.readStream(stream);

        const seen: RecordedEvent[] = [first];
        let after = first.position;
        while (seen.filter((event) => event.stream === stream).length < events.length) {
          const page = await store.readAll(after, 2);
          expect(page.length).toBeGreaterThan(0);
          expect(page.length).toBeLessThanOrEqual(2);
          expect(page[0].position).toBeGreaterThan(after);
          seen.push(...page);
          after = page[page.length - 1].position;
        }

        const positions = seen.map((event) => event.position);
        positions.slice(1).forEach((position, i) => expect(position).toBeGreaterThan(positions[i]));
        expect(ids(seen.filter((event) => event.stream === stream))).toEqual(ids(events));
      });

      it('gives a full page whenever that many events follow: only a shorter page is the end of the log', async () => {
        // A reader of the whole log stops at a short page (log-self-check.ts, nodes-check-at-start.ts) or takes it as the head (log-tail.ts).
        const stream = uniqueStream('full-pages');
        await store.append([{ stream, expected: 'no_stream', events: newEvents(6) }]);
        const recorded = await store.readStream(stream);

        for (let from = 0; from < 5; from++) {
          for (let limit = 1; limit <= 5 - from; limit++) expect(await store.readAll(recorded[from].position, limit)).toHaveLength(limit);
        }
        expect(await store.readAll(undefined, 6)).toHaveLength(6);
        expect(await store.readAll(await store.headPosition(), 3)).toEqual([]);
      });

      it('reads from the start when after is undefined, and reports the head position', async () => {
        const stream = uniqueStream('head');
        const result = await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);

        const [oldest] = await store.readAll(undefined, 1);
        expect(oldest.position).toBeLessThanOrEqual(result.position);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(result.position);
      });

      it('finds the event at exactly a position, and nothing where there is none', async () => {
        const stream = uniqueStream('at');
        const events = newEvents(2);
        await store.append([{ stream, expected: 'no_stream', events }]);
        const [first, second] = await store.readStream(stream);
        expect((await store.eventAt(first.position))?.id).toBe(events[0].id);
        expect((await store.eventAt(second.position))?.id).toBe(events[1].id);
        expect(await store.eventAt(second.position + 1_000_000n)).toBeUndefined();
      });

      it('answers only the event that starts at a position, never a neighbour: nothing before the first event, nor just past the head', async () => {
        // A checkpoint that outlived a restore of an older copy of the log may point anywhere in it (log-divergence.ts).
        const stream = uniqueStream('not-at');
        await store.append([{ stream, expected: 'no_stream', events: newEvents(2) }]);
        const [first] = await store.readStream(stream);
        const head = await store.headPosition();

        expect(await store.eventAt(0n)).toBeUndefined();
        expect(await store.eventAt(head! + 1n)).toBeUndefined();
        // The next event where positions count events (SQLite), the middle of this one where they count bytes (KurrentDB).
        const oneAfter = first.position + 1n;
        expect((await store.eventAt(oneAfter))?.position ?? oneAfter).toBe(oneAfter);
      });

      it('reads and counts after a position no event is at: the events after it, or PositionNotInLog where the store refuses to read from there', async () => {
        // A checkpoint that outlived a restore of an older copy of the log, until its consumer is rebuilt (log-tail.ts, backlogs.ts).
        const stream = uniqueStream('between');
        await store.append([{ stream, expected: 'no_stream', events: newEvents(3) }]);
        const [first] = await store.readStream(stream);

        // Before the first event: the whole log on both stores.
        expect(ids(await store.readAll(0n, 2))).toEqual(ids(await store.readAll(undefined, 2)));
        expect(await store.backlog(0n, 2)).toEqual(await store.backlog(undefined, 2));
        // The next event where positions count events (SQLite), the middle of this one where they count bytes (KurrentDB).
        const between = first.position + 1n;
        const after = (await store.readAll(first.position, 3)).filter((event) => event.position > between);
        const read = await store.readAll(between, 2).catch((error: unknown) => error);
        const counted = await store.backlog(between, 1).catch((error: unknown) => error);
        if ((await store.eventAt(between)) !== undefined || !(read instanceof PositionNotInLog)) {
          expect(ids(read as RecordedEvent[])).toEqual(ids(after.slice(0, 2)));
          expect(counted).toEqual({ events: 1, oldestOccurredAt: after[0].metadata.occurredAt });
        } else {
          expect(read.position).toBe(between);
          expect(counted).toBeInstanceOf(PositionNotInLog);
        }
      });

      it('counts the events after a position up to a cap, and tells when the first of them occurred', async () => {
        const stream = uniqueStream('backlog');
        const events = newEvents(5).map((event, i) => ({ ...event, metadata: { ...event.metadata, occurredAt: `2025-01-01T00:00:0${i}.000Z` } }));
        await store.append([{ stream, expected: 'no_stream', events }]);
        const recorded = await store.readStream(stream);

        expect(await store.backlog(recorded[0].position, 2)).toEqual({ events: 2, oldestOccurredAt: '2025-01-01T00:00:01.000Z' });
        expect(await store.backlog(recorded[2].position, 2)).toEqual({ events: 2, oldestOccurredAt: '2025-01-01T00:00:03.000Z' });
        // Below the cap, every event after the position: as many as readAll returns.
        const tail = await store.readAll(recorded[1].position, 1_000);
        expect(tail.length).toBeLessThan(1_000);
        expect(await store.backlog(recorded[1].position, 1_000)).toEqual({ events: tail.length, oldestOccurredAt: '2025-01-01T00:00:02.000Z' });
        expect(await store.backlog(await store.headPosition(), 10)).toEqual({ events: 0, oldestOccurredAt: undefined });
        const [oldest] = await store.readAll(undefined, 1);
        expect(await store.backlog(undefined, 1)).toEqual({ events: 1, oldestOccurredAt: oldest.metadata.occurredAt });
        await expect(store.backlog(undefined, 0)).rejects.toThrow(RangeError);
      });

      it('gives later appends higher positions', async () => {
        const results: AppendResult[] = [];
        for (let i = 0; i < 5; i++) {
          results.push(await store.append([{ stream: uniqueStream('order'), expected: 'no_stream', events: newEvents(2) }]));
        }
        results.slice(1).forEach((result, i) => expect(result.position).toBeGreaterThan(results[i].position));
      });
    });

    describe('subscribeToAll', () => {
      it('catches up after an exclusive position, goes live, and stops', async () => {
        const stream = uniqueStream('sub');
        const past = newEvents(3);
        await store.append([{ stream, expected: 'no_stream', events: past }]);
        const [first] = await store.readStream(stream);
        const received: RecordedEvent[] = [];
        const live = newEvents(2);
        const caughtUp = condition(() => received.length === 2);
        const allArrived = condition(() => received.length === 4);

        const subscription = store.subscribeToAll({
          after: first.position,
          handler: (event) => {
            if (event.stream !== stream) return;
            received.push(event);
            caughtUp.check();
            allArrived.check();
          },
        });
        await caughtUp.reached;
        await store.append([{ stream, expected: 2n, events: [live[0]] }]);
        await store.append([{ stream, expected: 3n, events: [live[1]] }]);
        await allArrived.reached;
        await subscription.stop();

        expect(ids(received)).toEqual(ids([...past.slice(1), ...live]));
        expect(received.map((event) => event.revision)).toEqual([1n, 2n, 3n, 4n]);

        // After stop, nothing more arrives: a second subscription sees the next event, the first does not.
        const later = newEvent();
        await store.append([{ stream, expected: 4n, events: [later] }]);
        const witness = condition(() => true);
        const second = store.subscribeToAll({
          after: received[3].position,
          handler: (event) => {
            if (event.id === later.id) witness.check();
          },
        });
        await witness.reached;
        await second.stop();
        expect(received).toHaveLength(4);
      });

      it('delivers from the start of the log when after is undefined', async () => {
        const [oldest] = await store.readAll(undefined, 1);
        const received: RecordedEvent[] = [];
        const one = condition(() => received.length >= 1);
        const subscription = store.subscribeToAll({
          handler: (event) => {
            received.push(event);
            one.check();
          },
        });
        await one.reached;
        await subscription.stop();
        expect(received[0]).toEqual(oldest);
      });

      it('leaves the events of skipped types out, telling skipped how far it read past them and how many, in log order among the others', async () => {
        const stream = uniqueStream('skipping');
        const start = await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
        const events = [newEvent('Kept', { i: 0 }), newEvent('Skipped', { i: 1 }), newEvent('Skipped', { i: 2 }), newEvent('Kept', { i: 3 }), newEvent('Skipped', { i: 4 })];
        await store.append([{ stream, expected: 0n, events }]);
        const recorded = await store.readStream(stream, 1n);
        const last = recorded[recorded.length - 1];
        const seen: Array<{ kind: string; id: string; position: bigint; data?: unknown; events?: number }> = [];
        const done = condition(() => seen.at(-1)?.position === last.position && seen.at(-1)?.kind === 'skipped');
        const subscription = store.subscribeToAll({
          after: start.position,
          handler: (event) => {
            if (event.stream !== stream) return;
            seen.push({ kind: 'handled', id: event.id, position: event.position, data: event.data });
            done.check();
          },
          skipping: {
            types: new Set(['Skipped']),
            skipped: (position, id, skippedEvents) => {
              seen.push({ kind: 'skipped', id, position, events: skippedEvents });
              done.check();
            },
          },
        });
        await done.reached;
        await subscription.stop();
        const handled = seen.filter((entry) => entry.kind === 'handled');
        expect(handled).toEqual([
          { kind: 'handled', id: recorded[0].id, position: recorded[0].position, data: { i: 0 } },
          { kind: 'handled', id: recorded[3].id, position: recorded[3].position, data: { i: 3 } },
        ]);
        const skips = seen.filter((entry) => entry.kind === 'skipped');
        // Every skipped event counted once, by calls at or after it (an adapter may count several at once).
        expect(skips.reduce((sum, entry) => sum + (entry.events ?? 0), 0)).toBe(3);
        for (const skip of skips) expect(recorded.find((event) => event.position === skip.position)?.id).toBe(skip.id);
        // In log order among the handled events: the position a call names is at or after every event handed over before it, before every one after it.
        seen.forEach((entry, i) => {
          if (entry.kind !== 'skipped') return;
          for (const before of handled.filter((h) => seen.indexOf(h) < i)) expect(entry.position).toBeGreaterThanOrEqual(before.position);
          for (const after of handled.filter((h) => seen.indexOf(h) > i)) expect(entry.position).toBeLessThan(after.position);
        });
      });

      it('awaits the handler: one event at a time, in order, each once', async () => {
        const stream = uniqueStream('backpressure');
        const events = newEvents(6);
        const start = await store.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
        let running = 0;
        let maxRunning = 0;
        const received: string[] = [];
        const done = condition(() => received.length === events.length);

        const subscription = store.subscribeToAll({
          after: start.position,
          handler: async (event) => {
            if (event.stream !== stream) return;
            running++;
            maxRunning = Math.max(maxRunning, running);
            await new Promise((resolve) => setImmediate(resolve));
            received.push(event.id);
            running--;
            done.check();
          },
        });
        await store.append([{ stream, expected: 0n, events: events.slice(0, 3) }]);
        await store.append([{ stream, expected: 3n, events: events.slice(3) }]);
        await done.reached;
        await subscription.stop();

        expect(maxRunning).toBe(1);
        expect(received).toEqual(ids(events));
      });

      it('resolves stop() only after the running handler has finished', async () => {
        const stream = uniqueStream('stop');
        const head = await store.headPosition();
        await store.append([{ stream, expected: 'no_stream', events: newEvents(2) }]);
        let release!: () => void;
        const blocked = new Promise<void>((resolve) => (release = resolve));
        const entered = condition(() => true);
        const handled: bigint[] = [];

        const subscription = store.subscribeToAll({
          after: head,
          handler: async (event) => {
            if (event.stream !== stream) return;
            entered.check();
            await blocked;
            handled.push(event.revision);
          },
        });
        await entered.reached;
        let stopped = false;
        const stopping = subscription.stop().then(() => (stopped = true));
        await new Promise((resolve) => setImmediate(resolve));
        expect(stopped).toBe(false);

        release();
        await stopping;
        expect(handled).toEqual([0n]);
      });

      it('reports a failing handler through onError and stops delivering', async () => {
        const stream = uniqueStream('failing');
        const head = await store.headPosition();
        await store.append([{ stream, expected: 'no_stream', events: newEvents(2) }]);
        const failure = new Error('projection broke');
        const calls: bigint[] = [];
        let reported: unknown;
        const gaveUp = condition(() => reported !== undefined);

        const subscription = store.subscribeToAll({
          after: head,
          handler: (event) => {
            if (event.stream !== stream) return;
            calls.push(event.revision);
            throw failure;
          },
          onError: (error) => {
            reported = error;
            gaveUp.check();
          },
        });
        await gaveUp.reached;
        await subscription.stop();

        expect(reported).toBe(failure);
        expect(calls).toEqual([0n]);
      });
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
