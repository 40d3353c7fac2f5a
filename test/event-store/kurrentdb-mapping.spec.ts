import {
  ANY,
  AppendConsistencyViolationError,
  AccessDeniedError,
  NO_STREAM,
  START,
  UnavailableError,
  WrongExpectedVersionError,
  type RecordedEvent as KurrentRecordedEvent,
} from '@kurrent/kurrentdb-client';
import { ConcurrencyConflict, type StreamWrite } from '../../src/event-store/event-store.port';
import { backoffDelay } from '../../src/shared/backoff';
import { normalizeConnectionString } from '../../src/event-store/kurrentdb/kurrentdb-connection-string';
import { isTransientKurrentError, toConcurrencyConflict } from '../../src/event-store/kurrentdb/kurrentdb-errors';
import {
  decodeMetadata,
  encodeMetadata,
  isSystemEvent,
  toEventData,
  toRecordedEvent,
} from '../../src/event-store/kurrentdb/kurrentdb-event-mapping';
import { isAfter, toPortPosition, toReadPosition } from '../../src/event-store/kurrentdb/kurrentdb-positions';
import { toActualRevision, toStreamState } from '../../src/event-store/kurrentdb/kurrentdb-stream-state';
import { firstRevisionOf, matchRecordedWrite, toAppendResult } from '../../src/event-store/recorded-append';
import { missingServerFeatures } from '../../src/event-store/kurrentdb/kurrentdb-server-features';
import { ServerFeatures } from '@kurrent/kurrentdb-client/dist/Client/ServerFeatures';
import { SupportedMethod, SupportedMethods } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_pb';
import { newEvent, newEvents } from './event-factory';

/** Values a double cannot hold: 2^53 + 1 rounds to 2^53. */
const BEYOND_DOUBLE = 2n ** 53n + 1n;
const NEAR_MAX = 2n ** 63n - 3n;

/** A recorded event as the client hands it over, read from $all. */
function clientEvent(overrides: Partial<KurrentRecordedEvent> = {}): KurrentRecordedEvent {
  const source = newEvent('KeyRequested', { publicKey: 'abc', nested: { list: [1, null] } });
  return {
    streamId: 'key-request-1',
    id: source.id,
    isJson: true,
    revision: BEYOND_DOUBLE,
    type: source.type,
    created: new Date(0),
    data: source.data,
    metadata: { ...encodeMetadata(source), '$schema.format': 'Json' },
    position: { commit: NEAR_MAX, prepare: NEAR_MAX },
    ...overrides,
  } as KurrentRecordedEvent;
}

describe('KurrentDB positions', () => {
  it('reads $all from the start, or from the checkpoint as commit and prepare position', () => {
    expect(toReadPosition(undefined)).toBe(START);
    expect(toReadPosition(NEAR_MAX)).toEqual({ commit: NEAR_MAX, prepare: NEAR_MAX });
    expect(toReadPosition(0n)).toEqual({ commit: 0n, prepare: 0n });
    expect(() => toReadPosition(-1n)).toThrow(RangeError);
  });

  it('reports the commit position exactly, far above 2^53', () => {
    expect(toPortPosition({ commit: BEYOND_DOUBLE, prepare: BEYOND_DOUBLE }, 'e')).toBe(BEYOND_DOUBLE);
    expect(toPortPosition({ commit: NEAR_MAX, prepare: NEAR_MAX }, 'e')).toBe(NEAR_MAX);
  });

  it('refuses an event that came without a $all position', () => {
    expect(() => toPortPosition(undefined, 'e1')).toThrow(/e1 came without its \$all position/);
    expect(() => toPortPosition({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n }, 'e2')).toThrow(/e2/);
  });

  it('makes the start exclusive: the event AT the checkpoint is not after it, the next one is', () => {
    expect(isAfter(BEYOND_DOUBLE, BEYOND_DOUBLE)).toBe(false);
    expect(isAfter(BEYOND_DOUBLE, BEYOND_DOUBLE - 1n)).toBe(true);
    expect(isAfter(BEYOND_DOUBLE - 1n, BEYOND_DOUBLE)).toBe(false);
    expect(isAfter(0n, undefined)).toBe(true);
  });
});

describe('KurrentDB expected revisions', () => {
  it('maps no_stream, any and an exact revision one to one', () => {
    expect(toStreamState('no_stream')).toBe(NO_STREAM);
    expect(toStreamState('any')).toBe(ANY);
    expect(toStreamState(0n)).toBe(0n);
    expect(toStreamState(NEAR_MAX)).toBe(NEAR_MAX);
    expect(() => toStreamState(-1n)).toThrow(RangeError);
  });

  it('reads the current revision the server reports, -1 meaning no stream', () => {
    expect(toActualRevision(-1n)).toBe('no_stream');
    expect(toActualRevision('no_stream')).toBe('no_stream');
    expect(toActualRevision(BEYOND_DOUBLE)).toBe(BEYOND_DOUBLE);
    expect(() => toActualRevision('any')).toThrow(TypeError);
  });
});

describe('KurrentDB errors', () => {
  const writes: StreamWrite[] = [
    { stream: 'org-1', expected: 'no_stream', events: [newEvent()] },
    { stream: 'agent-7', expected: BEYOND_DOUBLE, events: [newEvent()] },
  ];

  it('turns the multi-stream revision conflict into the port conflict of that stream, with the caller expectation', () => {
    const error = WrongExpectedVersionError.fromRevisionConflict({
      stream: 'agent-7',
      expectedRevision: BEYOND_DOUBLE.toString(),
      actualRevision: (BEYOND_DOUBLE + 2n).toString(),
    });

    const conflict = toConcurrencyConflict(error, writes);

    expect(conflict).toBeInstanceOf(ConcurrencyConflict);
    expect(conflict).toMatchObject({ stream: 'agent-7', expected: BEYOND_DOUBLE, actual: BEYOND_DOUBLE + 2n });
  });

  it('reports a missing stream as no_stream', () => {
    const error = WrongExpectedVersionError.fromRevisionConflict({ stream: 'agent-7', expectedRevision: '0', actualRevision: '-1' });
    expect(toConcurrencyConflict(error, writes)).toMatchObject({ stream: 'agent-7', actual: 'no_stream' });
  });

  it('finds the stream of a single-stream conflict, also when the server spells it in another case', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'ORG-1', expected: NO_STREAM, current: 4n });
    expect(toConcurrencyConflict(error, writes)).toMatchObject({ stream: 'org-1', expected: 'no_stream', actual: 4n });
    const single = new WrongExpectedVersionError(undefined, { streamName: 'other', expected: ANY, current: 1n });
    expect(toConcurrencyConflict(single, [writes[0]])).toMatchObject({ stream: 'org-1', actual: 1n });
  });

  it("turns a violated consistency check into the port conflict of the checked stream, a guard's too", () => {
    const guard = { stream: 'org-9', expected: 3n };
    const error = new AppendConsistencyViolationError(undefined as never, {
      violationsList: [{ checkIndex: 2, streamState: { stream: 'org-9', expectedState: '3', actualState: '5' } }],
    } as never);
    expect(toConcurrencyConflict(error, [...writes, guard])).toMatchObject({ stream: 'org-9', expected: 3n, actual: 5n });
  });

  it('leaves every other error alone', () => {
    expect(toConcurrencyConflict(new UnavailableError(), writes)).toBeUndefined();
    expect(toConcurrencyConflict(new Error('boom'), writes)).toBeUndefined();
    const own = new ConcurrencyConflict('org-1', 'no_stream', 0n);
    expect(toConcurrencyConflict(own, writes)).toBe(own);
  });

  it('retries the server being away, not refusals or bugs', () => {
    expect(isTransientKurrentError(new UnavailableError())).toBe(true);
    expect(isTransientKurrentError(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBe(true);
    expect(isTransientKurrentError(new Error('Failed to discover after 10 attempts.'))).toBe(true);
    expect(isTransientKurrentError(new AccessDeniedError())).toBe(false);
    expect(isTransientKurrentError(new TypeError('x is undefined'))).toBe(false);
    expect(isTransientKurrentError('not an error')).toBe(false);
  });
});

describe('KurrentDB connection strings', () => {
  it.each([
    ['esdb://es:2113?tls=false', 'kurrentdb://es:2113?tls=false'],
    ['esdb+discover://a:2113,b:2113', 'kurrentdb+discover://a:2113,b:2113'],
    ['  kurrentdb://admin:changeit@kdb:2113 ', 'kurrentdb://admin:changeit@kdb:2113'],
    ['kurrent+discover://kdb:2113', 'kurrentdb+discover://kdb:2113'],
  ])('accepts %s', (url, normalized) => {
    expect(normalizeConnectionString(url)).toBe(normalized);
  });

  it.each(['http://es:2113', 'es:2113', ''])('refuses %p with what it expects', (url) => {
    expect(() => normalizeConnectionString(url)).toThrow(/EVENTSTORE_URL must be/);
  });
});

describe('KurrentDB event mapping', () => {
  it('appends a new event with its own id, JSON data and string-only metadata holding the schema version', () => {
    const event = { ...newEvent('KeyApproved', { a: [1, { b: null }] }), schemaVersion: 12 };

    const data = toEventData(event);

    expect(data).toMatchObject({ id: event.id, type: 'KeyApproved', contentType: 'application/json', data: event.data });
    expect(data.metadata).toEqual({ ...event.metadata, schemaVersion: '12' });
    // The atomic multi-stream append refuses metadata values that are not strings.
    expect(Object.values(data.metadata as object).every((value) => typeof value === 'string')).toBe(true);
  });

  it('decodes what it encodes, ignoring keys the server adds', () => {
    const event = { ...newEvent(), schemaVersion: 3 };
    const stored = { ...encodeMetadata(event), '$schema.name': event.type };
    expect(decodeMetadata(stored, event.id)).toEqual({ metadata: event.metadata, schemaVersion: 3 });
  });

  it.each([
    ['no metadata', undefined],
    ['binary metadata', new Uint8Array([1, 2])],
    ['a missing field', { actor: 'a', orgId: 'o', occurredAt: 't', correlationId: 'c', schemaVersion: '1' }],
    ['a number field', { actor: 'a', orgId: 'o', occurredAt: 't', correlationId: 'c', causationId: 7, schemaVersion: '1' }],
    ['schema version 0', { ...encodeMetadata(newEvent()), schemaVersion: '0' }],
    ['schema version 1.5', { ...encodeMetadata(newEvent()), schemaVersion: '1.5' }],
    ['a huge schema version', { ...encodeMetadata(newEvent()), schemaVersion: '99999999999999999999' }],
  ])('refuses %s, naming the event', (_, stored) => {
    expect(() => decodeMetadata(stored, 'evt-9')).toThrow(/evt-9/);
  });

  it('reports a recorded event with revision and position exact above 2^53', () => {
    const recorded = clientEvent();
    expect(toRecordedEvent(recorded)).toEqual({
      id: recorded.id,
      type: recorded.type,
      schemaVersion: 1,
      data: recorded.data,
      metadata: decodeMetadata(recorded.metadata, recorded.id).metadata,
      stream: 'key-request-1',
      revision: BEYOND_DOUBLE,
      position: NEAR_MAX,
    });
  });

  it('refuses events ztkeys did not write', () => {
    expect(() => toRecordedEvent(clientEvent({ isJson: false, data: new Uint8Array([1]) } as Partial<KurrentRecordedEvent>))).toThrow(
      /not a ztkeys event/,
    );
    expect(() => toRecordedEvent(clientEvent({ data: ['a'] } as Partial<KurrentRecordedEvent>))).toThrow(/not a ztkeys event/);
    expect(() => toRecordedEvent(clientEvent({ position: undefined }))).toThrow(/\$all position/);
  });

  it.each([
    [{ type: '$statsCollected', streamId: '$stats-127.0.0.1:2113' }, true],
    [{ type: '$>', streamId: 'org-links' }, true],
    [{ type: 'Anything', streamId: '$$org-1' }, true],
    [{ type: 'KeyRequested', streamId: 'key-request-1' }, false],
  ])('tells system events apart: %p', (event, system) => {
    expect(isSystemEvent(event)).toBe(system);
  });
});

describe('recognizing a retried append', () => {
  const recorded = (stream: string, events: { id: string }[], firstRevision: bigint, firstPosition: bigint) =>
    events.map((event, i) => ({
      ...newEvent(),
      id: event.id,
      stream,
      revision: firstRevision + BigInt(i),
      position: firstPosition + BigInt(i) * 100n,
    }));

  it('knows where the events of a write went when its expectation held', () => {
    expect(firstRevisionOf('no_stream')).toBe(0n);
    expect(firstRevisionOf(BEYOND_DOUBLE)).toBe(BEYOND_DOUBLE + 1n);
    expect(firstRevisionOf('any')).toBeUndefined();
  });

  it('matches the same events in the same order and reports where the last one is', () => {
    const events = newEvents(3);
    const write: StreamWrite = { stream: 's', expected: 4n, events };
    const found = recorded('s', events, 5n, NEAR_MAX - 1000n);

    expect(matchRecordedWrite(write, found)).toEqual({ lastRevision: 7n, lastPosition: NEAR_MAX - 800n });
    expect(matchRecordedWrite(write, [...found].reverse())).toBeUndefined();
    expect(matchRecordedWrite(write, found.slice(0, 2))).toBeUndefined();
    expect(matchRecordedWrite(write, recorded('other', events, 5n, 0n))).toBeUndefined();
    expect(matchRecordedWrite(write, recorded('s', newEvents(3), 5n, 0n))).toBeUndefined();
  });

  it('rebuilds the append result: every stream at its last revision, the highest position', () => {
    const writes: StreamWrite[] = [
      { stream: 'a', expected: 'no_stream', events: newEvents(1) },
      { stream: 'b', expected: 0n, events: newEvents(2) },
    ];
    const result = toAppendResult(writes, [
      { lastRevision: 0n, lastPosition: BEYOND_DOUBLE },
      { lastRevision: 2n, lastPosition: BEYOND_DOUBLE + 1n },
    ]);
    expect(result).toEqual({ position: BEYOND_DOUBLE + 1n, revisions: new Map([['a', 0n], ['b', 2n]]) });
  });
});

describe('resubscribe backoff', () => {
  const policy = { initialMs: 100, maxMs: 10_000 };

  it('doubles per attempt between half and all of the step, and stays under the cap', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(600);
    expect(backoffDelay(40, policy, () => 1)).toBe(10_000);
    expect(backoffDelay(40, policy, () => 0)).toBe(5_000);
  });
});

describe('KurrentDB server features', () => {
  /** The client's own record of a server, made from the answer such a server gives (v1 ServerFeatures). */
  function server(version: string, v2Methods: string[]): ServerFeatures {
    const answer = new SupportedMethods().setEventStoreServerVersion(version);
    answer.addMethods(new SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName('batchappend'));
    for (const method of v2Methods) answer.addMethods(new SupportedMethod().setServiceName('kurrentdb.protocol.v2.streams.streamsservice').setMethodName(method));
    return new ServerFeatures(null, answer);
  }

  it('takes a server that serves both multi-stream calls', () => {
    expect(missingServerFeatures(server('26.1.0', ['appendsession', 'appendrecords']))).toBeUndefined();
  });

  it('refuses a 25.x server, which has multi-stream appends but no consistency checks, naming its version and the one needed', () => {
    expect(missingServerFeatures(server('25.1.2', ['appendsession']))).toBe(
      'KurrentDB 25.1.2 lacks appends with consistency checks on streams read (AppendRecords), KurrentDB 26.1+: ztkeys needs KurrentDB 26.1 or later',
    );
  });

  it('refuses an EventStoreDB that has neither, and one too old to tell its version', () => {
    expect(missingServerFeatures(server('24.10.0', []))).toMatch(/^KurrentDB 24\.10\.0 lacks atomic multi-stream appends .* and appends with consistency checks/);
    const unknown = new ServerFeatures(Object.assign(new Error('12 UNIMPLEMENTED'), { code: 12 }) as never, undefined as never);
    expect(missingServerFeatures(unknown)).toMatch(/^the server \(of a version too old to say which\) lacks atomic multi-stream appends/);
  });
});
