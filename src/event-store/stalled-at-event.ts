import { decode, UndecodableEvent, type Decoded } from '../domain/events/decode';
import type { LogEvent } from '../domain/events/event-catalogue';
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

/**
 * A follower's decode: an event this release cannot read is reported once (onStalled, not again
 * at the retries that meet it again), then thrown, failing the follower's subscription as before
 * (it retries after its pause). Without onStalled every failure goes to onError as before.
 */
export class StallWatch {
  private stalled: StalledAtEvent | undefined;

  constructor(private readonly onStalled: ((stall: StalledAtEvent) => void) | undefined) {}

  decode(record: RecordedEvent): Decoded<RecordedEvent, LogEvent> {
    try {
      return decode(record);
    } catch (error) {
      if (error instanceof UndecodableEvent && this.onStalled && this.stalled?.position !== record.position) {
        const { position, id: eventId, type, schemaVersion } = record;
        this.stalled = { position, eventId, type, schemaVersion, reason: error.message };
        this.onStalled(this.stalled);
      }
      throw error;
    }
  }

  /** Whether a failure of the subscription is the stall already said: not a failure to report again. */
  said(error: unknown): boolean {
    return error instanceof UndecodableEvent && this.stalled !== undefined;
  }
}

/** The one wording of a stall: the error line and readiness both say it. */
export function describeStall(follower: string, { position, type, schemaVersion, reason }: StalledAtEvent): string {
  return `${follower} stalled at position ${position} (${type} v${schemaVersion}): ${reason}; it waits there rather than skip it, and retries`;
}

/** Fields of the error line, beside describeStall's message. */
export const stallFields = ({ position, eventId, type, schemaVersion }: StalledAtEvent): Record<string, unknown> => ({ position: position.toString(), eventId, type, schemaVersion });
