import { AppendConsistencyViolationError, ErrorType, WrongExpectedVersionError, isCommandError } from '@kurrent/kurrentdb-client';
import { ConcurrencyConflict, type StreamGuard } from '../event-store.port';
import { toActualRevision } from './kurrentdb-stream-state';

/**
 * The port's conflict for a wrong-expected-version answer of any append path (or a violated
 * consistency check of an append with guards), or undefined for any other error. The conflict
 * names the expectation the caller gave (a write's or a guard's), not the server's echo.
 */
export function toConcurrencyConflict(error: unknown, expectations: readonly StreamGuard[]): ConcurrencyConflict | undefined {
  if (error instanceof ConcurrencyConflict) return error;
  const refused =
    error instanceof WrongExpectedVersionError
      ? { streamName: error.streamName, actualState: error.actualState }
      : error instanceof AppendConsistencyViolationError
        ? error.violations[0]
        : undefined;
  if (!refused) return undefined;
  const expectation =
    expectations.find((candidate) => candidate.stream === refused.streamName) ??
    // The server compares stream names case-insensitively in a multi-stream append.
    expectations.find((candidate) => candidate.stream.toLowerCase() === refused.streamName.toLowerCase()) ??
    (expectations.length === 1 ? expectations[0] : undefined);
  if (!expectation) return undefined;
  return new ConcurrencyConflict(expectation.stream, expectation.expected, toActualRevision(refused.actualState));
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

/** What the client throws, as a plain Error, when no node of a cluster answered its gossip. */
const DISCOVERY_FAILED = /^Failed to discover after \d+ attempts/;

export const isDiscoveryFailure = (error: unknown): boolean => error instanceof Error && DISCOVERY_FAILED.test(error.message);

export function isTransientKurrentError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isCommandError(error)) return TRANSIENT_TYPES.has(error.type);
  if (isDiscoveryFailure(error)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code);
}
