import { ConfigError } from '../../config/environment';

/** Schemes the client accepts: single node or cluster discovery, under the new and the old name. */
const SCHEME = /^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\//i;

/**
 * Checks EVENTSTORE_URL and spells an `esdb://` string the current way: the client still
 * accepts it but warns on every start that the scheme is deprecated.
 */
export function normalizeConnectionString(url: string): string {
  const match = SCHEME.exec(url.trim());
  if (!match) {
    throw new ConfigError(
      'EVENTSTORE_URL must be a KurrentDB/EventStoreDB connection string such as ' +
        'kurrentdb://host:2113?tls=false or esdb+discover://host:2113',
    );
  }
  const rest = url.trim().slice(match[0].length);
  return `kurrentdb${match[2] ?? ''}://${rest}`;
}
