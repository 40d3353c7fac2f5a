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
