/** Opens the read-model store adapters on throwaway data: a temp folder, or a database of its own. */
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropMongoDatabase, serverWithoutIndexedPlans, throwawayDatabaseName } from '../../support/mongo-database';
import { MongoReadModelStore, type MongoReadModelStoreOptions } from '../../../src/read-models/mongodb/mongo-read-model-store';
import { SqliteReadModelStore, type SqliteReadModelStoreOptions } from '../../../src/read-models/sqlite/sqlite-read-model-store';
import type { OpenedStore } from '../read-model-store.contract';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `ztkeys-${prefix}-`));

export async function openSqlite(dir = tempDir('read-models'), options: Pick<SqliteReadModelStoreOptions, 'onInPlaceChange'> = {}): Promise<OpenedStore & { dir: string }> {
  const path = join(dir, 'read-models.sqlite');
  return {
    dir,
    store: new SqliteReadModelStore({ path, ...options }),
    reducesOnAWorkerThread: true,
    dropStored: async (name) => {
      const db = new Database(path);
      db.exec(`DROP TABLE "${name}"`);
      db.close();
    },
    forgetProjectionVersions: async () => {
      const db = new Database(path);
      db.exec('DROP TABLE read_model_projection_versions');
      db.close();
    },
    reopen: async () => new SqliteReadModelStore({ path }),
    cleanup: async function (this: void) {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const MONGODB_URL = process.env.MONGODB_URL;

/** describe() when MONGODB_URL is set; otherwise one clear line says the suite was skipped. */
export function describeWithMongo(title: string, body: () => void): void {
  if (MONGODB_URL) {
    describe(title, body);
    return;
  }
  process.stdout.write(`SKIPPED: ${title}: MONGODB_URL is not set (bash .ci/ferretdb.sh starts FerretDB and prints one)\n`);
  describe.skip(title, body);
}

export async function openMongo(options: Pick<MongoReadModelStoreOptions, 'onInPlaceChange'> = {}): Promise<OpenedStore & { database: string }> {
  const url = MONGODB_URL as string;
  const database = throwawayDatabaseName('ztkeys_test');
  const store = new MongoReadModelStore({ url, database, ...options });
  return {
    database,
    store,
    plansWithoutIndexes: await serverWithoutIndexedPlans(url),
    dropStored: async (name) => {
      const client = await MongoClient.connect(url);
      await client.db(database).collection(name).drop().finally(() => client.close());
    },
    forgetProjectionVersions: async () => {
      const client = await MongoClient.connect(url);
      await client.db(database).collection('read_model_generations').updateMany({}, { $unset: { projectionVersions: '' } }).finally(() => client.close());
    },
    reopen: async () => new MongoReadModelStore({ url, database }),
    cleanup: async () => {
      await store.close();
      await dropMongoDatabase(url, database);
    },
  };
}
