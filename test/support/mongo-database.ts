import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';

/** Drops a throwaway database (the one named, else the one in the URL) that a test or benchmark made. */
export async function dropMongoDatabase(url: string, database?: string): Promise<void> {
  const client = await MongoClient.connect(url);
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}

/** A fresh database name, so a suite or benchmark never meets another's read models or checkpoints. */
export const throwawayDatabaseName = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

/**
 * Why the server's plans never use an index, when that is so: FerretDB 1.x runs every find,
 * findOne by _id included, as a sequential scan of its PostgreSQL table, filtering by the
 * equalities it pushes down, and sorts and limits in its own process.
 */
export async function serverWithoutIndexedPlans(url: string): Promise<string | undefined> {
  const client = await MongoClient.connect(url);
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return info.ferretdbVersion ? `FerretDB ${String(info.ferretdbVersion)} scans for every find` : undefined;
  } finally {
    await client.close();
  }
}

/** The server of `base` with a fresh database of its own (a read-model store belongs to one event log). */
export function throwawayDatabaseUrl(base: string, prefix: string): string {
  const url = new URL(base);
  url.pathname = `/${throwawayDatabaseName(prefix)}`;
  return url.toString();
}

/**
 * The read-model stores an e2e suite runs on, as describe.each takes them: embedded SQLite, and
 * MongoDB in a throwaway database named after `prefix` when MONGODB_URL is set (else one SKIPPED line).
 */
export function readModelStores(prefix: string, what: string): Array<[string, Record<string, string>]> {
  const stores: Array<[string, Record<string, string>]> = [['embedded SQLite', {}]];
  if (process.env.MONGODB_URL) stores.push(['MongoDB', { MONGODB_URL: throwawayDatabaseUrl(process.env.MONGODB_URL, prefix) }]);
  else console.log(`SKIPPED: ${what} on MongoDB, MONGODB_URL is not set (npm test starts FerretDB and sets it)`);
  return stores;
}
