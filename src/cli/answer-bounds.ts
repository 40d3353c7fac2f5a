import { usageError } from './cli-error';

export const ANSWER_TIMEOUT_ENV = 'ZTKEYS_TIMEOUT_SECONDS';
export const EXPORT_IDLE_ENV = 'ZTKEYS_EXPORT_IDLE_SECONDS';

/** How long the CLI waits on the server (ms), each bound read from the environment. */
export interface AnswerBounds {
  /** Every answer but the audit export's: head and body whole within it. */
  answerMs: number;
  /**
   * The audit export: how long it may go without a byte. A whole-answer deadline does not fit a
   * stream of a long log; silence does tell a stuck server from a slow one.
   */
  exportIdleMs: number;
}

/** A server silent or dripping for a minute is taken for gone; what a script on a slow link may raise. */
export const DEFAULT_ANSWER_BOUNDS: AnswerBounds = { answerMs: 60_000, exportIdleMs: 60_000 };

export function answerBounds(env: Record<string, string | undefined>): AnswerBounds {
  return { answerMs: seconds(env, ANSWER_TIMEOUT_ENV, DEFAULT_ANSWER_BOUNDS.answerMs), exportIdleMs: seconds(env, EXPORT_IDLE_ENV, DEFAULT_ANSWER_BOUNDS.exportIdleMs) };
}

function seconds(env: Record<string, string | undefined>, name: string, defaultMs: number): number {
  const given = env[name];
  if (given === undefined || given === '') return defaultMs;
  const value = /^\d+(\.\d+)?$/.test(given) ? Number(given) : NaN;
  if (!(value > 0 && value <= 86_400)) throw usageError(`${name} must be a number of seconds above 0 and at most 86400, not "${given}".`);
  return value * 1000;
}
