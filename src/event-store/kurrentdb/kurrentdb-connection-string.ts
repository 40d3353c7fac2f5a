import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { ConfigError } from '../../config/config-error';
import { withoutPasswords } from '../../shared/without-passwords';

const EXPECTED = 'EVENTSTORE_URL must be a KurrentDB/EventStoreDB connection string such as kurrentdb://host:2113?tls=false or esdb+discover://host:2113';

/** Schemes the client accepts: single node or cluster discovery, under the new and the old name. */
const SCHEME = /^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\//i;

/**
 * Checks EVENTSTORE_URL and spells an `esdb://` string the current way: the client still
 * accepts it but warns on every start that the scheme is deprecated.
 */
export function normalizeConnectionString(url: string): string {
  const match = SCHEME.exec(url.trim());
  if (!match) {
    throw new ConfigError(EXPECTED);
  }
  const rest = url.trim().slice(match[0].length);
  return `kurrentdb${match[2] ?? ''}://${rest}`;
}

/**
 * A client of a normalized connection string. The client parses it as it is made: one it cannot
 * read (`kurrentdb://` without a host, a port that is no number) is a bad EVENTSTORE_URL, said in
 * one line, not the parser's "Unexpected ..." with a stack that names no variable.
 */
export function kurrentDbClient(connectionString: string): KurrentDBClient {
  try {
    return KurrentDBClient.connectionString(connectionString);
  } catch (error) {
    throw new ConfigError(withoutPasswords(`${EXPECTED}: the KurrentDB client cannot read "${connectionString}" (${error instanceof Error ? error.message : String(error)})`));
  }
}
