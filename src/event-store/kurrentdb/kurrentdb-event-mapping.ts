import { jsonEvent, type JSONEventData, type RecordedEvent as KurrentRecordedEvent } from '@kurrent/kurrentdb-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-store.port';
import { toPortPosition } from './kurrentdb-positions';

/**
 * Event metadata as stored: the port's metadata plus the schema version, all strings. Atomic
 * multi-stream appends (KurrentDB 25.1) accept only string values, so both append paths store
 * the same flat JSON object and every reader decodes it one way.
 */
export type StoredMetadata = Record<keyof EventMetadata | 'schemaVersion', string>;

const METADATA_FIELDS = ['actor', 'orgId', 'occurredAt', 'correlationId', 'causationId'] as const;

export function encodeMetadata(event: NewEvent): StoredMetadata {
  const { actor, orgId, occurredAt, correlationId, causationId } = event.metadata;
  return { actor, orgId, occurredAt, correlationId, causationId, schemaVersion: String(event.schemaVersion) };
}

/** The port's metadata and schema version back from stored metadata; keys the server adds are ignored. */
export function decodeMetadata(stored: unknown, eventId: string): { metadata: EventMetadata; schemaVersion: number } {
  if (!isPlainObject(stored)) throw new Error(`event ${eventId} has no ztkeys metadata`);
  const field = (name: string): string => {
    const value = stored[name];
    if (typeof value !== 'string') throw new Error(`event ${eventId} has no string metadata field "${name}"`);
    return value;
  };
  const version = field('schemaVersion');
  const schemaVersion = Number(version);
  if (!/^[1-9][0-9]*$/.test(version) || !Number.isSafeInteger(schemaVersion)) {
    throw new Error(`event ${eventId} has schema version "${version}", not a positive integer`);
  }
  const [actor, orgId, occurredAt, correlationId, causationId] = METADATA_FIELDS.map(field);
  return { metadata: { actor, orgId, occurredAt, correlationId, causationId }, schemaVersion };
}

/** A new event as the client appends it; the id passes through so a retried append is idempotent. */
export function toEventData(event: NewEvent): JSONEventData {
  return jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: encodeMetadata(event) });
}

/** A recorded event as the port reports it. */
export function toRecordedEvent(event: KurrentRecordedEvent): RecordedEvent {
  if (!event.isJson || !isPlainObject(event.data)) {
    throw new Error(`event ${event.id} in ${event.streamId} is not a ztkeys event: its data is not a JSON object`);
  }
  const { metadata, schemaVersion } = decodeMetadata(event.metadata, event.id);
  return {
    id: event.id,
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata,
    stream: event.streamId,
    revision: event.revision,
    position: toPortPosition(event.position, event.id),
  };
}

/**
 * System events (statistics, stream metadata, links, scavenges...) live in `$` streams or carry
 * `$` types. The server filters by type; this check also drops the rare `$` stream with a plain type.
 */
export function isSystemEvent(event: { type: string; streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
