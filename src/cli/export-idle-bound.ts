import { usageError } from './cli-error';

export const EXPORT_IDLE_ENV = 'ZTKEYS_EXPORT_IDLE_SECONDS';

/** The bound of other answers (60 s), by default: a server silent that long is taken for gone. */
export const EXPORT_IDLE_DEFAULT_MS = 60_000;

/**
 * How long the audit export may go without a byte from the server (ms). A whole-answer deadline
 * does not fit a stream of a long log; silence does tell a stuck server from a slow one.
 */
export function exportIdleMs(env: Record<string, string | undefined>): number {
  const given = env[EXPORT_IDLE_ENV];
  if (given === undefined || given === '') return EXPORT_IDLE_DEFAULT_MS;
  const seconds = /^\d+(\.\d+)?$/.test(given) ? Number(given) : NaN;
  if (!(seconds > 0 && seconds <= 86_400)) throw usageError(`${EXPORT_IDLE_ENV} must be a number of seconds above 0 and at most 86400, not "${given}".`);
  return seconds * 1000;
}
