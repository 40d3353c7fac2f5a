import { START, type Position, type ReadPosition } from '@kurrent/kurrentdb-client';

/**
 * Our single bigint position is the KurrentDB commit position of the event. Every event ztkeys
 * writes (single or multi-stream append) is an implicit transaction, and for those the server
 * reports commit = prepare = the event's own log position, so the commit position alone is
 * unique and ordered. Only explicit transactions of the legacy TCP API share a commit position;
 * ztkeys never writes them.
 */

/** The server's "no position" marker (2^64 - 1), sent for events read without a $all position. */
const NO_POSITION = 2n ** 64n - 1n;

export function toPortPosition(position: Position | undefined, eventId: string): bigint {
  if (position === undefined || position.commit === NO_POSITION || position.commit < 0n) {
    throw new Error(`event ${eventId} came without its $all position (KurrentDB 22.6 or later reports it)`);
  }
  return position.commit;
}

/**
 * Where a read or subscription resumes after `after`. KurrentDB reads $all from a position
 * inclusively, so callers still drop the event AT `after` with `isAfter`.
 */
export function toReadPosition(after: bigint | undefined): ReadPosition {
  if (after === undefined) return START;
  if (after < 0n) throw new RangeError(`a position is never negative, got ${after}`);
  return { commit: after, prepare: after };
}

/** True when `position` lies strictly after `after` (undefined = before the first event). */
export function isAfter(position: bigint, after: bigint | undefined): boolean {
  return after === undefined || position > after;
}
