import type { ReadModelName } from '../../projections/projection';
import type { ReadModelStore } from './read-model-store.port';

const DEFAULT_POLL_MS = 10;

/**
 * Read your writes (X-Min-Position): waits until a read model has applied the log up to a
 * position. It reads the checkpoint from the store, so it sees a runner in any process and a
 * switch to a rebuilt generation.
 */
export class ReadModelProgress {
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly pollMs = DEFAULT_POLL_MS,
  ) {}

  /** True once the model's active generation has applied `position`; false when `timeoutMs` runs out first (answer 503 + Retry-After). */
  async waitForPosition(model: ReadModelName, position: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = await this.readModels.checkpoint(model);
      if (checkpoint !== undefined && checkpoint >= position) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, left)));
    }
  }
}
