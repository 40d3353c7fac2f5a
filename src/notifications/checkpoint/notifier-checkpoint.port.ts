import type { LogCheckpoint } from '../../event-store/log-divergence';

/**
 * Where the notifier stands in the event log. It lives in the queue's own store, so that jobs
 * and the checkpoint after them share one fate: if the store loses its recent writes, the
 * checkpoint goes back with them and the events are planned again.
 */
export interface NotifierCheckpoint {
  /** The last event whose jobs are queued (position and id); undefined before the first. */
  load(): Promise<LogCheckpoint | undefined>;
  save(checkpoint: LogCheckpoint): Promise<void>;
}
