import { Logger } from '@nestjs/common';
import { STOP_SIGNALS } from '../shared/stop-signals';

/** Longest graceful stop: orchestrators kill after ~10-30 s; a store that does not answer must not hold us that long. */
export const SHUTDOWN_GRACE_MS = 3000;

/**
 * On SIGTERM, SIGINT or SIGHUP (STOP_SIGNALS): stops gracefully (in-flight requests and sends
 * finish, stores close), then exits. A stop that outlasts the grace period (a store that does not answer) or a second
 * signal ends the process at once, so it never outlives its supervisor's stop.
 */
export function shutDownOnSignals(stop: () => Promise<void>, graceMs = SHUTDOWN_GRACE_MS): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: stopping`);
    setTimeout(() => {
      logger.warn(`stop did not finish within ${graceMs} ms: exiting now`);
      process.exit(1);
    }, graceMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error);
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}
