import type { LogCheckpoint } from '../../event-store/log-divergence';

/**
 * Where the notifier stands in the event log. It lives in the queue's own store, so that jobs
 * and the checkpoint after them share one fate: if the store loses its recent writes, the
 * checkpoint goes back with them and the events are planned again.
 */
export interface NotifierCheckpoint {
  /** The last event whose jobs are queued (position and id); undefined before the first. */
  load(): Promise<LogCheckpoint | undefined>;
  /**
   * Saves it; resolves true when the store held a checkpoint before, false when it held none (the
   * first save, or the store lost its data since the last one: the notifier then plans again).
   */
  save(checkpoint: LogCheckpoint): Promise<boolean>;
}
