import type { Db } from 'mongodb';

/** The database the read models and Merkle nodes share on one MONGODB_URL: named explicitly, else the URL's path, else `ztkeys`. */
export function mongoDatabaseName(url: string, database?: string): string {
  const inUrl = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url)?.[1];
  return database ?? (inUrl ? decodeURIComponent(inUrl) : 'ztkeys');
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
