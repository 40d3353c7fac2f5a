import { ANY, NO_STREAM, type AppendStreamState } from '@kurrent/kurrentdb-client';
import type { ExpectedRevision } from '../event-store.port';

/**
 * The port's expectation as KurrentDB's stream state. Both count revisions the same way: a
 * bigint names the revision of the stream's last event, so it passes through unchanged.
 */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  if (expected < 0n) throw new RangeError(`an expected revision is never negative, got ${expected}`);
  return expected;
}

/** A stream's current revision as the server reports it: -1 (or "no_stream") when it does not exist. */
export function toActualRevision(current: bigint | string): bigint | 'no_stream' {
  if (typeof current === 'bigint') return current < 0n ? 'no_stream' : current;
  if (current === NO_STREAM) return 'no_stream';
  throw new TypeError(`unexpected current stream state "${current}"`);
}
