import { decode, decodesAsStored, NotOfThisRelease, UndecodableEvent } from '../../src/domain/events/decode';
import { decodeChecked } from '../../src/domain/events/decode-checked';
import { BROWSER_EVENTS, EVENT_CATALOGUE, KEY_EVENTS } from '../../src/domain/events/event-catalogue';

/** A remembered task as written before its schema's version 2, which added the optional authorizationId. */
const authorizedV1 = {
  type: 'SensitiveTaskAuthorized',
  schemaVersion: 1,
  data: { agentId: 'ada', browserId: 'b1', task: 'remote', method: 'REMEMBERED', keyFingerprint: 'f', validUntil: '2026-12-03T12:00:00.000Z' },
};
const changedV1 = { type: 'PromptFrequencyChanged', schemaVersion: 1, data: { agentId: 'ada', browserId: 'b1', frequency: 'EVERY_TASK', previous: 'DAILY', reason: 'LOGOUT' } };

const added = { type: 'AgentAdded', schemaVersion: 1, data: { agentId: 'ada', email: 'ada@example.test', displayName: 'Ada', role: 'ADMIN' } };

describe('decode', () => {
  it('reads a known type at its current schema version as the typed event, keeping the envelope', () => {
    const event = decode({ ...added, id: 'e1', position: 7n });
    expect(event).toEqual({ ...added, id: 'e1', position: 7n });
    if (event.type !== 'AgentAdded') throw new Error('not narrowed');
    expect(event.data.role).toBe('ADMIN');
  });

  it('refuses a type the catalogue does not know', () => {
    expect(() => decode({ type: 'KeyStolen', schemaVersion: 1, data: {} })).toThrow(UndecodableEvent);
    expect(() => decode({ type: 'KeyStolen', schemaVersion: 1, data: {} })).toThrow('cannot decode event KeyStolen v1: unknown event type: written by a newer ztkeys (this release knows no type of that name)');
    // Names inherited from Object.prototype are not event types either.
    expect(() => decode({ type: 'toString', schemaVersion: 1, data: {} })).toThrow(UndecodableEvent);
  });

  it('refuses a schema version it has no reading of, older or newer', () => {
    expect(() => decode({ ...added, schemaVersion: 2 })).toThrow('cannot decode event AgentAdded v2: written by a newer ztkeys (this release reads up to v1)');
    expect(() => decode({ ...added, schemaVersion: 0 })).toThrow(UndecodableEvent);
  });

  it("tells a newer release's record (a type or version it does not know) from a broken one", () => {
    const thrown = (record: Parameters<typeof decode>[0], types?: typeof KEY_EVENTS): unknown => {
      try {
        decode(record, types ?? EVENT_CATALOGUE);
      } catch (error) {
        return error;
      }
    };
    expect(thrown({ type: 'KeyEscrowed', schemaVersion: 1, data: {} })).toBeInstanceOf(NotOfThisRelease);
    expect(thrown({ ...added, schemaVersion: 2 })).toBeInstanceOf(NotOfThisRelease);
    for (const broken of [thrown({ ...added, schemaVersion: 0 }), thrown({ ...added, data: null }), thrown(added, KEY_EVENTS)]) {
      expect([broken instanceof UndecodableEvent, broken instanceof NotOfThisRelease]).toEqual([true, false]);
    }
  });

  it('refuses data that is not an object', () => {
    expect(() => decode({ ...added, data: null })).toThrow('its data is not an object');
    expect(() => decode({ ...added, data: [] })).toThrow(UndecodableEvent);
  });

  it("refuses, for one stream's events, a known type of another stream", () => {
    expect(() => decode(added, KEY_EVENTS)).toThrow(new UndecodableEvent('AgentAdded', 1, 'unknown event type'));
    expect(decode({ type: 'KeyRequestLocked', schemaVersion: 1, data: { requestId: 'r', agentId: 'a', failedAttempts: 5 } }, KEY_EVENTS).type).toBe(
      'KeyRequestLocked',
    );
  });

  it('knows every type of the catalogue at the version the catalogue writes', () => {
    for (const [type, schemaVersion] of Object.entries(EVENT_CATALOGUE)) expect(decode({ type, schemaVersion, data: {} }).type).toBe(type);
  });

  it('tells which records it gives back with their data as stored: a known type at its current version', () => {
    for (const [type, schemaVersion] of Object.entries(EVENT_CATALOGUE)) expect(decodesAsStored(type, schemaVersion)).toBe(true);
    expect(decodesAsStored('AgentAdded', 0)).toBe(false);
    expect(decodesAsStored('AgentAdded', 2)).toBe(false);
    expect(decodesAsStored('KeyStolen', 1)).toBe(false);
    expect(decodesAsStored('toString', 1)).toBe(false);
    expect(decodesAsStored('AgentAdded', 1, KEY_EVENTS)).toBe(false);
  });

  describe('an older schema version', () => {
    it('reads the version 1 of a task authorization or a frequency change, data and envelope as written, checked against the shape it had then', () => {
      for (const record of [authorizedV1, changedV1]) {
        expect(decode({ ...record, id: 'e1' })).toEqual({ ...record, id: 'e1' });
        expect(decodeChecked(record, BROWSER_EVENTS)).toEqual(record);
        expect(decodesAsStored(record.type, 1)).toBe(false);
      }
    });

    it('refuses in a version 1 the id that only version 2 has', () => {
      expect(() => decodeChecked({ ...authorizedV1, data: { ...authorizedV1.data, authorizationId: 'a1' } }, BROWSER_EVENTS)).toThrow(
        'cannot decode event SensitiveTaskAuthorized v1: data.authorizationId: no member of SensitiveTaskAuthorized data',
      );
      expect(() => decodeChecked({ ...changedV1, data: { ...changedV1.data, changeId: 'c1' } }, BROWSER_EVENTS)).toThrow(
        'cannot decode event PromptFrequencyChanged v1: data.changeId: no member of PromptFrequencyChanged data',
      );
      expect(decodeChecked({ ...authorizedV1, schemaVersion: 2, data: { ...authorizedV1.data, authorizationId: 'a1' } }, BROWSER_EVENTS).schemaVersion).toBe(2);
    });

    it('is still refused where its shape was wrong then, and a version after the current one is unknown', () => {
      expect(() => decodeChecked({ ...authorizedV1, data: { ...authorizedV1.data, method: 'GUESSED' } }, BROWSER_EVENTS)).toThrow(
        /^cannot decode event SensitiveTaskAuthorized v1: data\.method: /,
      );
      // As a release met going back after an upgrade: it names the newer release, not a bad record.
      expect(() => decode({ ...authorizedV1, schemaVersion: 3 })).toThrow(
        'cannot decode event SensitiveTaskAuthorized v3: written by a newer ztkeys (this release reads up to v2): run that release, or restore the backup taken before upgrading',
      );
      expect(() => decode({ ...authorizedV1, schemaVersion: 0 })).toThrow('unknown schema version (current: 2)');
    });

    it("is read only for its own stream's types", () => {
      expect(() => decode(authorizedV1, KEY_EVENTS)).toThrow('cannot decode event SensitiveTaskAuthorized v1: unknown event type');
    });
  });
});
