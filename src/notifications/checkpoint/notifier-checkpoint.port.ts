/**
 * Where the notifier stands in the event log. It lives in the queue's own store, so that jobs
 * and the checkpoint after them share one fate: if the store loses its recent writes, the
 * checkpoint goes back with them and the events are planned again.
 */
export interface NotifierCheckpoint {
  /** Position of the last event whose jobs are queued; undefined before the first. */
  load(): Promise<bigint | undefined>;
  save(position: bigint): Promise<void>;
}
