import type { Db, MongoClientOptions } from 'mongodb';

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
