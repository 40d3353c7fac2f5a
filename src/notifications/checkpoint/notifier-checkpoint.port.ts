import type { LogCheckpoint } from '../../event-store/log-divergence';

/**
 * An event the notifier cannot plan emails for: this release cannot read it, or a stream it reads
 * for it (one a newer release wrote during a rolling upgrade). Parked so that the events after it
 * are mailed, and planned again at each start: an upgraded notifier then sends its emails.
 */
export interface ParkedEvent {
  position: bigint;
  eventId: string;
  /** Its type and schema version as stored. */
  type: string;
  schemaVersion: number;
  /** Why it could not be planned. */
  reason: string;
}

/**
 * Where the notifier stands in the event log, and the events it parked. It lives in the queue's
 * own store, so that jobs and the checkpoint after them share one fate: if the store loses its
 * recent writes, the checkpoint goes back with them and the events are planned again.
 */
export interface NotifierCheckpoint {
  /** The last event whose jobs are queued (position and id); undefined before the first. */
  load(): Promise<LogCheckpoint | undefined>;
  /**
   * Saves it; resolves true when the store held a checkpoint before, false when it held none (the
   * first save, or the store lost its data since the last one: the notifier then plans again).
   */
  save(checkpoint: LogCheckpoint): Promise<boolean>;
  /** Records an event parked; parking one already parked keeps one record of it, the last reason. */
  park(event: ParkedEvent): Promise<void>;
  /** The events parked, in log order. */
  parked(): Promise<ParkedEvent[]>;
  /** Forgets a parked event (its jobs are queued, or the log holds it no more); one not parked is no error. */
  unpark(eventId: string): Promise<void>;
}

/** Parked events by their position in the log. */
export const inLogOrder = (a: ParkedEvent, b: ParkedEvent): number => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0);
