import { TimedOut, within } from '../../src/shared/within';

/**
 * `work`, or once `ms` pass first, an error naming what was waited for and what `seen` tells
 * then (a child's last lines, its exit): a hang fails on its own, well before jest's bound, and
 * says where. Given a function, the work gets a signal that aborts at the deadline (a fetch).
 * Only turns a hang into a readable failure: no assertion depends on how fast things happen.
 */
export async function withDeadline<T>(what: string, ms: number, work: Promise<T> | ((signal: AbortSignal) => Promise<T>), seen?: () => string): Promise<T> {
  const deadline = new AbortController();
  try {
    return await within(typeof work === 'function' ? work(deadline.signal) : work, ms);
  } catch (error) {
    if (!(error instanceof TimedOut)) throw error;
    deadline.abort(error);
    throw missedDeadline(what, ms, seen?.());
  }
}

/** The error of a wait that outlived its `ms`: what it waited for, and what was seen then. */
export function missedDeadline(what: string, ms: number, seen?: string): Error {
  return new Error(`timed out after ${ms} ms waiting for ${what}${seen ? `; ${seen}` : ''}`);
}
