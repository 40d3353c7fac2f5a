import type { DomainEvent } from '../shared/domain-event';
import { EVENT_CATALOGUE, type EventVersions, type LogEvent } from './event-catalogue';

/** What decode needs of a stored record: its type, the schema version it was written in, its data. */
export interface EncodedEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** A record with its type and data replaced by the typed event they decode to; the rest of the envelope stays. */
export type Decoded<R extends EncodedEvent, E extends DomainEvent> = Omit<R, 'type' | 'data'> & E;

/** A record this code cannot read: its type is unknown (to this stream), or its schema version is. */
export class UndecodableEvent extends Error {
  constructor(
    readonly type: string,
    readonly schemaVersion: number,
    reason: string,
  ) {
    super(`cannot decode event ${type} v${schemaVersion}: ${reason}`);
    this.name = 'UndecodableEvent';
  }
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * True when decode gives a record of this type and schema version back with its data as stored,
 * provided the data is an object: nothing to upcast. A reader that only copies the stored data
 * through (the embedded audit export) may then leave it unparsed; any other record goes through decode.
 */
export function decodesAsStored(type: string, schemaVersion: number, types: Readonly<Record<string, number>> = EVENT_CATALOGUE): boolean {
  return hasOwn(types, type) && schemaVersion === types[type];
}

/**
 * The one reading of a stored record as a domain event. Refuses a type outside `types` (the whole
 * catalogue, or one stream's events) and any schema version but the current one. An event whose
 * schema changes gets its old versions upcast here, before the version check, and nowhere else.
 */
export function decode<R extends EncodedEvent>(record: R): Decoded<R, LogEvent>;
export function decode<R extends EncodedEvent, E extends LogEvent>(record: R, types: EventVersions<E>): Decoded<R, E>;
export function decode(record: EncodedEvent, types: Readonly<Record<string, number>> = EVENT_CATALOGUE): Decoded<EncodedEvent, LogEvent> {
  const { type, schemaVersion, data } = record;
  if (!decodesAsStored(type, schemaVersion, types)) {
    if (!hasOwn(types, type)) throw new UndecodableEvent(type, schemaVersion, 'unknown event type');
    // No event has an older schema version yet: upcasters of old versions go here.
    throw new UndecodableEvent(type, schemaVersion, `unknown schema version (current: ${types[type]})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UndecodableEvent(type, schemaVersion, 'its data is not an object');
  }
  return record as Decoded<EncodedEvent, LogEvent>;
}
