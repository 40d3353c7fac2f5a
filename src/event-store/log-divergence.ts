import type { EventStore } from './event-store.port';

/** Where a consumer of the log stands: the last event it handled. */
export interface LogCheckpoint {
  position: bigint;
  /** Id of the event at `position`, when the consumer recorded it. */
  eventId?: string;
}

/**
 * Why the log no longer holds what a consumer checkpointed (its head is behind the checkpoint,
 * or another event sits at the checkpoint's position: the log lost its tail or was restored
 * from an older copy), or undefined when it still does. The consumer must not resume after that
 * checkpoint: events now in the log past the point they share would never reach it.
 */
export async function logDivergence(events: EventStore, checkpoint: LogCheckpoint | undefined): Promise<string | undefined> {
  if (checkpoint === undefined) return undefined;
  const head = await events.headPosition();
  if (head === undefined || head < checkpoint.position) {
    return `the event log's head (${head ?? 'empty'}) is behind the checkpoint (${checkpoint.position})`;
  }
  if (checkpoint.eventId === undefined) return undefined;
  const event = await events.eventAt(checkpoint.position);
  if (event?.id === checkpoint.eventId) return undefined;
  return `the event at the checkpoint (${checkpoint.position}) is ${event ? `event ${event.id}` : 'missing'}, not event ${checkpoint.eventId}`;
}
