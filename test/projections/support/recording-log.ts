import { decode } from '../../../src/domain/events/decode';
import type { RecordedEvent } from '../../../src/event-store/event-store.port';
import { versionChanges } from '../../../projections/document-change';
import type { Projection } from '../../../projections/projection';
import { InMemoryDocuments } from '../../../projections/in-memory-documents';
import type { StreamEvent } from './org-event-builder';

/** Gives events positions and revisions as a store would, without one. */
export class RecordingLog {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, bigint>();

  record(streamEvents: StreamEvent[]): RecordedEvent[] {
    return streamEvents.map(({ stream, event }) => {
      const revision = (this.revisions.get(stream) ?? -1n) + 1n;
      this.revisions.set(stream, revision);
      const recorded: RecordedEvent = { ...event, stream, revision, position: BigInt(this.events.length + 1) };
      this.events.push(recorded);
      return recorded;
    });
  }
}

/** The documents a projection makes of the events, decoded as its runner does. */
export function project(projection: Projection, events: readonly RecordedEvent[], into = new InMemoryDocuments()): InMemoryDocuments {
  for (const event of events) into.apply(versionChanges(event.position, projection.project(decode(event))));
  return into;
}
