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
