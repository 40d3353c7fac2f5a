import type { LogEvent, LogEventType } from '../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import type { CollectionName, DocumentChange } from './document-change';

// Projections import these from here; they live lower down because the audit entry, which transparency hashes, needs them too.
export { eventTime } from '../src/event-store/event-time';
export { safeNumber } from '../src/shared/safe-number';

export const READ_MODEL_NAMES = ['pending-keys', 'org-status', 'audit-log', 'as-of', 'recoveries'] as const;
export type ReadModelName = (typeof READ_MODEL_NAMES)[number];

/** A read model as a pure function of the log: each event, decoded by its runner, gives the changes it makes. */
export interface Projection {
  name: ReadModelName;
  /**
   * Raised by a release that changes what the projection writes for the same events: a server
   * starting on documents an older version wrote rebuilds the model from the log (and refuses
   * documents a newer one wrote). A store from before versions counts as 1.
   */
  version: number;
  /** The collections it writes, and nothing else writes. */
  collections: readonly CollectionName[];
  /**
   * The event types it makes changes for, when not all: it makes none for any other, so its
   * runner neither decodes nor gives it those (about half of a typical log, sensitive tasks refused).
   */
  types?: ReadonlySet<LogEventType>;
  project(event: RecordedEvent<LogEvent>): DocumentChange[];
}
