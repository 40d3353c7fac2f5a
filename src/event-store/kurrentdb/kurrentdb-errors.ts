import { ErrorType, WrongExpectedVersionError, isCommandError } from '@kurrent/kurrentdb-client';
import { ConcurrencyConflict, type StreamWrite } from '../event-store.port';
import { toActualRevision } from './kurrentdb-stream-state';

/**
 * The port's conflict for a wrong-expected-version answer of either append path, or undefined
 * for any other error. The conflict names the expectation the caller gave, not the server's echo.
 */
export function toConcurrencyConflict(error: unknown, writes: StreamWrite[]): ConcurrencyConflict | undefined {
  if (error instanceof ConcurrencyConflict) return error;
  if (!(error instanceof WrongExpectedVersionError)) return undefined;
  const write =
    writes.find((candidate) => candidate.stream === error.streamName) ??
    // The server compares stream names case-insensitively in a multi-stream append.
    writes.find((candidate) => candidate.stream.toLowerCase() === error.streamName.toLowerCase()) ??
    (writes.length === 1 ? writes[0] : undefined);
  if (!write) return undefined;
  return new ConcurrencyConflict(write.stream, write.expected, toActualRevision(error.actualState));
}

/** Client error types a later attempt can get past: the server away, restarting or changing leader. */
const TRANSIENT_TYPES = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
  ErrorType.UNKNOWN,
]);

/** gRPC status codes of the same kind, for errors the client passes through unconverted. */
const TRANSIENT_GRPC_CODES = new Set([1, 4, 13, 14]); // CANCELLED, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE

export function isTransientKurrentError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isCommandError(error)) return TRANSIENT_TYPES.has(error.type);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code);
}
