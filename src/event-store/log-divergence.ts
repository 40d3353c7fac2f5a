import type { EventStore } from './event-store.port';

/** Where a consumer of the log stands: the last event it handled. */
export interface LogCheckpoint {
  position: bigint;
  /** Id of the event at `position`, when the consumer recorded it (stores written before checkpoints named their event hold none). */
  eventId?: string;
}

/**
 * Why the log no longer holds what a consumer checkpointed (its head is behind the checkpoint,
 * no event is at the checkpoint's position, or another event is: the log lost its tail or was
 * restored from an older copy), or undefined when it still does. The consumer must not resume
 * after that checkpoint: events now in the log past the point they share would never reach it.
 *
 * A checkpoint is the last event the consumer handled, so an event must be at its position, its
 * id recorded or not: none there (rows deleted and the log grown past them on SQLite, whose
 * positions are never given twice; the middle of a record of a restored older copy on KurrentDB,
 * whose positions count bytes) means the consumer holds events this log no longer has.
 */
export async function logDivergence(events: EventStore, checkpoint: LogCheckpoint | undefined): Promise<string | undefined> {
  if (checkpoint === undefined) return undefined;
  const head = await events.headPosition();
  if (head === undefined || head < checkpoint.position) {
    return `the event log's head (${head ?? 'empty'}) is behind the checkpoint (${checkpoint.position})`;
  }
  const event = await events.eventAt(checkpoint.position);
  if (event === undefined) return `the event log holds no event at the checkpoint (${checkpoint.position})${checkpoint.eventId === undefined ? '' : `, not event ${checkpoint.eventId}`}`;
  if (checkpoint.eventId === undefined || event.id === checkpoint.eventId) return undefined;
  return `the event at the checkpoint (${checkpoint.position}) is event ${event.id}, not event ${checkpoint.eventId}`;
}
