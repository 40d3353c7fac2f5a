import type { LogEvent } from '../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import type { CollectionName, DocumentChange } from './document-change';

export const READ_MODEL_NAMES = ['pending-keys', 'org-status', 'audit-log', 'as-of', 'recoveries'] as const;
export type ReadModelName = (typeof READ_MODEL_NAMES)[number];

/** A read model as a pure function of the log: each event, decoded by its runner, gives the changes it makes. */
export interface Projection {
  name: ReadModelName;
  /** The collections it writes, and nothing else writes. */
  collections: readonly CollectionName[];
  project(event: RecordedEvent<LogEvent>): DocumentChange[];
}

/** occurredAt as one canonical ISO-8601 UTC form, so that time ranges compare as strings. */
export const eventTime = (event: RecordedEvent): string => new Date(event.metadata.occurredAt).toISOString();

/**
 * A position or revision as a JSON number. Documents are JSON, which reporting tools read as
 * doubles; a log beyond 2^53 events (or bytes, for EventStoreDB) is refused loudly, not rounded.
 */
export function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${value} is beyond 2^53: it does not fit a document`);
  return Number(value);
}
