import type { DomainEvent } from '../shared/domain-event';
import { EVENT_CATALOGUE, OLDER_VERSIONS, type EventVersions, type LogEvent, type LogEventType } from './event-catalogue';

/** What decode needs of a stored record: its type, the schema version it was written in, its data. */
export interface EncodedEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** A record with its type and data replaced by the typed event they decode to; the rest of the envelope stays. */
export type Decoded<R extends EncodedEvent, E extends DomainEvent> = Omit<R, 'type' | 'data'> & E;

/**
 * A record this code cannot read: its type is unknown (to this stream), or its schema version is,
 * or (decodeChecked) its data is not of its type's shape: `field` is then the path of the first member
 * found wrong, from `data`.
 */
export class UndecodableEvent extends Error {
  constructor(
    readonly type: string,
    readonly schemaVersion: number,
    reason: string,
    readonly field?: string,
  ) {
    super(`cannot decode event ${type} v${schemaVersion}: ${field === undefined ? '' : `${field}: `}${reason}`);
    this.name = 'UndecodableEvent';
  }
}

/**
 * A record of no type or schema version this release knows (a type outside the whole catalogue,
 * or a version above the current one): a newer release wrote it, which reads it. Not a broken
 * record: a reader that must understand it waits for that release; one that only proves its
 * integrity hashes it as stored (event-leaf.ts).
 */
export class NotOfThisRelease extends UndecodableEvent {
  constructor(
    type: string,
    schemaVersion: number,
    reason: string,
    /** The schema version of its type this release reads up to; undefined for a type it does not know. */
    readonly readsUpTo?: number,
  ) {
    super(type, schemaVersion, reason);
    this.name = 'NotOfThisRelease';
  }
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * True for a type of `types` at its current schema version: decode gives such a record back with
 * its data as stored, provided the data is an object. A reader that only copies the stored data
 * through (the embedded audit export) may then leave it unparsed; any other record, an older
 * version included, goes through decode.
 */
export function decodesAsStored(type: string, schemaVersion: number, types: Readonly<Record<string, number>> = EVENT_CATALOGUE): boolean {
  return hasOwn(types, type) && schemaVersion === types[type];
}

/**
 * The one reading of a stored record as a domain event. Refuses a type outside `types` (the whole
 * catalogue, or one stream's events) and any schema version but the current one and the older
 * ones the catalogue still reads (OLDER_VERSIONS), whose data is read as it is. An event whose
 * schema changes gets its old versions read here, and nowhere else. The data is not checked
 * against its shape: the store's own records were emitted by the deciders (decodeChecked checks a
 * log this process did not write).
 */
export function decode<R extends EncodedEvent>(record: R): Decoded<R, LogEvent>;
export function decode<R extends EncodedEvent, E extends LogEvent>(record: R, types: EventVersions<E>): Decoded<R, E>;
export function decode(record: EncodedEvent, types: Readonly<Record<string, number>> = EVENT_CATALOGUE): Decoded<EncodedEvent, LogEvent> {
  const { type, schemaVersion, data } = record;
  if (!decodesAsStored(type, schemaVersion, types)) checkOlderVersion(type, schemaVersion, types);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UndecodableEvent(type, schemaVersion, 'its data is not an object');
  }
  return record as Decoded<EncodedEvent, LogEvent>;
}

/**
 * The record decoded, or as stored when a newer release wrote it (`newer`), for a reader that only
 * proves its integrity (its Merkle leaf is the stored record's, event-leaf.ts), never one that folds
 * it. A broken record throws, and so does a type of the catalogue outside `types` (its stream's).
 */
export function decodeOrAsStored<R extends EncodedEvent>(record: R, types: Readonly<Record<string, number>> = EVENT_CATALOGUE): { event: Decoded<R, LogEvent>; newer?: NotOfThisRelease } {
  try {
    return { event: decode(record, types as EventVersions<LogEvent>) };
  } catch (error) {
    if (!(error instanceof NotOfThisRelease)) throw error;
    return { event: record as unknown as Decoded<R, LogEvent>, newer: error };
  }
}

/** Refuses a version of a type of `types` other than the current one, unless the catalogue still reads it. */
function checkOlderVersion(type: string, schemaVersion: number, types: Readonly<Record<string, number>>): void {
  // A type of the catalogue outside this stream's is a record out of place, not a newer release's.
  if (!hasOwn(EVENT_CATALOGUE, type)) throw new NotOfThisRelease(type, schemaVersion, 'unknown event type: written by a newer ztkeys (this release knows no type of that name)');
  if (!hasOwn(types, type)) throw new UndecodableEvent(type, schemaVersion, 'unknown event type');
  if (schemaVersion > types[type]) {
    // Met by a release started again on a log a newer one wrote to: say so rather than a bad record.
    throw new NotOfThisRelease(type, schemaVersion, `written by a newer ztkeys (this release reads up to v${types[type]}): run that release, or restore the backup taken before upgrading`, types[type]);
  }
  if (!OLDER_VERSIONS[type as LogEventType]?.includes(schemaVersion)) {
    throw new UndecodableEvent(type, schemaVersion, `unknown schema version (current: ${types[type]})`);
  }
}
