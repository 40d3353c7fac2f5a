import { decode, decodesAsStored, UndecodableEvent } from '../../src/domain/events/decode';
import { EVENT_CATALOGUE, KEY_EVENTS } from '../../src/domain/events/event-catalogue';

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
    expect(() => decode({ type: 'KeyStolen', schemaVersion: 1, data: {} })).toThrow('cannot decode event KeyStolen v1: unknown event type');
    // Names inherited from Object.prototype are not event types either.
    expect(() => decode({ type: 'toString', schemaVersion: 1, data: {} })).toThrow(UndecodableEvent);
  });

  it('refuses a schema version it has no reading of, older or newer', () => {
    expect(() => decode({ ...added, schemaVersion: 2 })).toThrow('cannot decode event AgentAdded v2: unknown schema version (current: 1)');
    expect(() => decode({ ...added, schemaVersion: 0 })).toThrow(UndecodableEvent);
  });

  it('refuses data that is not an object', () => {
    expect(() => decode({ ...added, data: null })).toThrow('its data is not an object');
    expect(() => decode({ ...added, data: [] })).toThrow(UndecodableEvent);
  });

  it("refuses, for one stream's events, a known type of another stream", () => {
    expect(() => decode(added, KEY_EVENTS)).toThrow('cannot decode event AgentAdded v1: unknown event type');
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
});
