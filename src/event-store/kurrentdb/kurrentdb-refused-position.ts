import { ErrorType, isCommandError } from '@kurrent/kurrentdb-client';

/*
 * KurrentDB reads $all only from a position where a record of its log begins. A checkpoint
 * kept across a restore of an older copy of the log may point into the middle of an event of
 * the copy: the server then refuses the read or subscription ("Unexpected FilteredReadAllResult:
 * InvalidPosition" for a read, "Trying to read from an invalid position." for a subscription).
 * It sends no metadata with it. A subscription (grpc-js) passes it on as an UnknownError, the
 * client's class for every status it has none for: the words are all that tell it apart. The
 * client's native reader (reads) turns status Unknown into an UnavailableError without the words,
 * as it does an outage, so a read refused asks again by subscribing (KurrentDbEventStore.refusal);
 * it keeps the words of an InvalidArgument. A position past the log's end is not refused by
 * current servers (a read from it is empty, a subscription from it waits for events after it);
 * older ones refused it the same way.
 */
const REFUSAL = /invalid ?position/i;

/** The statuses the server refuses with, by version and call: Unknown or InvalidArgument. */
const REFUSAL_TYPES = new Set<string>([ErrorType.UNKNOWN, ErrorType.INVALID_ARGUMENT]);
const REFUSAL_GRPC_CODES = new Set([2, 3]); // UNKNOWN, INVALID_ARGUMENT, for errors the client passes through unconverted

/** True when the server refused to read $all from a position because no record of its log begins there. */
export function isRefusedPosition(error: unknown): error is Error {
  if (!(error instanceof Error) || !REFUSAL.test(error.message)) return false;
  if (isCommandError(error)) return REFUSAL_TYPES.has(error.type);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && REFUSAL_GRPC_CODES.has(code);
}
