import { setTimeout } from 'node:timers/promises';
import { MongoNetworkError, MongoNetworkTimeoutError, type Db, type MongoClientOptions } from 'mongodb';

/** The database the read models and Merkle nodes share on one MONGODB_URL: named explicitly, else the URL's path, else `ztkeys`. */
export function mongoDatabaseName(url: string, database?: string): string {
  const inUrl = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url)?.[1];
  return database ?? (inUrl ? decodeURIComponent(inUrl) : 'ztkeys');
}

/**
 * The client options of a store on MONGODB_URL. A server not found is given up after 10 s (the
 * driver's 30 s held a start or a request that long), unless the URL says otherwise: options
 * passed here would override the URL's own.
 */
export function mongoClientOptions(url: string, appName: string): MongoClientOptions {
  const inUrl = /[?&]serverSelectionTimeoutMS=/i.test(url);
  return { ignoreUndefined: true, appName, ...(inUrl ? {} : { serverSelectionTimeoutMS: 10_000 }) };
}

/** Whether the server answers a ping: the readiness of a store kept on it. */
export async function mongoAnswers(db: Db): Promise<boolean> {
  try {
    await db.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/**
 * How long a read that met a closed connection waits before it runs again: the other pooled
 * connections the same cut closed are then closed in the driver too (their sockets' end and close
 * are a loop turn or more apart), so the retry gets a fresh one. One taken in between would hang:
 * the driver (6.x) awaits a 'drain' on it that never comes.
 */
const LOST_CONNECTION_RETRY_MS = 50;

/**
 * How many times a read that met a closed connection runs again. The cut closed every pooled
 * connection, and a busy process may learn of the others' closes only after the wait: a retry can
 * then meet a second one (seen on a loaded CI machine: "connection 6 ... closed" on the first read
 * after an outage). Three bound it; a server still away fails each at once, on connect.
 */
const LOST_CONNECTION_RETRIES = 3;

/**
 * A connection that the server (or a hop to it) closed while it sat in the pool is learnt of only
 * when a command is written on it: "connection N closed", or the socket's own EPIPE, which the
 * driver (6.x) passes on unwrapped, so that its retryReads does not retry it (nor, for a cursor's
 * getMore, "closed" either). A read (idempotent) that meets one is run again on a fresh
 * connection: answered if the server is back; if it is still away, it fails as an outage.
 */
export async function retriedOnLostConnection<T>(read: () => Promise<T>): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await read();
    } catch (error) {
      if (!connectionLost(error) || retry === LOST_CONNECTION_RETRIES) throw error;
      await setTimeout(LOST_CONNECTION_RETRY_MS);
    }
  }
}

/** A pooled connection found closed when used (not a timeout: a slow server is not asked twice). */
export function connectionLost(error: unknown): boolean {
  if (error instanceof MongoNetworkError) return !(error instanceof MongoNetworkTimeoutError);
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}
