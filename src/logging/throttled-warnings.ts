import type { LoggerService } from '@nestjs/common';

const FIRST_STEP_MS = 1000;
const LAST_STEP_MS = 60_000;

/**
 * A warning for faults that repeat while a server is down (Redis retries its connection many
 * times a second): the first is logged, then at most one per step, the step doubling from 1 s to
 * a minute, each line counting what it held back. A fault after a quiet minute starts over.
 */
export function throttledWarnings(logger: Pick<LoggerService, 'warn'>, what: string, now: () => number = Date.now): (error: unknown) => void {
  let step = 0;
  let nextAt = 0;
  let lastAt = -Infinity;
  let held = 0;
  return (error) => {
    const at = now();
    if (at - lastAt > LAST_STEP_MS) {
      step = 0;
      nextAt = 0;
    }
    lastAt = at;
    if (at < nextAt) {
      held += 1;
      return;
    }
    logger.warn(`${what}: ${String(error)}${held > 0 ? ` (${held} more since the last warning)` : ''}`);
    held = 0;
    const wait = Math.min(FIRST_STEP_MS * 2 ** step, LAST_STEP_MS);
    step += 1;
    nextAt = at + wait;
  };
}
