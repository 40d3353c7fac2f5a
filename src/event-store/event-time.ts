import type { RecordedEvent } from './event-store.port';

/** occurredAt as one canonical ISO-8601 UTC form, so that time ranges compare as strings. */
export const eventTime = (event: RecordedEvent): string => new Date(event.metadata.occurredAt).toISOString();
