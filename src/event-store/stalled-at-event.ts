import type { UndecodableEvent } from '../domain/events/decode';
import type { RecordedEvent } from './event-store.port';

/**
 * An event of the log a follower that must not skip any (read models, Merkle nodes: skipped,
 * they would be wrong for good) cannot read: a newer release wrote it (a rolling upgrade half
 * done, or an older release started on a newer log). The follower waits at it, retrying, until a
 * release that reads it runs.
 */
export interface StalledAtEvent {
  position: bigint;
  eventId: string;
  type: string;
  schemaVersion: number;
  /** What decode said. */
  reason: string;
}

export const stalledAtEvent = (event: RecordedEvent, error: UndecodableEvent): StalledAtEvent => ({
  position: event.position,
  eventId: event.id,
  type: event.type,
  schemaVersion: event.schemaVersion,
  reason: error.message,
});

/** The one wording of a stall: the error line and readiness both say it. */
export function describeStall(follower: string, { position, type, schemaVersion, reason }: StalledAtEvent): string {
  return `${follower} stalled at position ${position} (${type} v${schemaVersion}): ${reason}; it waits there rather than skip it, retrying: a newer release wrote it: run that release`;
}

/** Fields of the error line, beside describeStall's message. */
export const stallFields = ({ position, eventId, type, schemaVersion }: StalledAtEvent): Record<string, unknown> => ({ position: position.toString(), eventId, type, schemaVersion });
