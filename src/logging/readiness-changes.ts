import type { LoggerService } from '@nestjs/common';

/** A readiness check that is down, and why. */
export interface DownCheck {
  name: string;
  reason: string;
}

/** "eventStore (disk full), emailQueue (does not answer)": the log line and the 503's detail say it alike. */
export const describeDown = (down: readonly DownCheck[]): string => down.map(({ name, reason }) => `${name} (${reason})`).join(', ');

/**
 * Logs readiness when it changes, not at every probe (an orchestrator probes every few seconds,
 * and a store down for an hour would fill the log): a warning when a check goes down (naming each
 * down and why), another when the set of down checks changes, and a line when all are up: "ready"
 * the first time (a process not ready from its start, its read models catching up), "ready
 * again" after. The reasons alone changing (a count in the message) is no change.
 */
export function readinessChanges(logger: Pick<LoggerService, 'warn' | 'log'>): (down: readonly DownCheck[]) => void {
  let downBefore = '';
  let readyBefore = false;
  return (down) => {
    const names = down.map((check) => check.name).join(', ');
    if (names !== downBefore) {
      if (down.length > 0) logger.warn(`not ready: ${describeDown(down)} down`);
      else logger.log(`${readyBefore ? 'ready again' : 'ready'}: ${downBefore} up`);
      downBefore = names;
    }
    readyBefore ||= down.length === 0;
  };
}
