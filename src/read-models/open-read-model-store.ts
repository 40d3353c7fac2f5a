import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { makePrivateDir } from '../shared/private-files';
import { MongoReadModelStore } from './mongodb/mongo-read-model-store';
import type { ReadModelStore } from './read-model-store.port';
import { SqliteReadModelStore } from './sqlite/sqlite-read-model-store';

/** The read-model store the configuration names: MongoDB when MONGODB_URL is set, else DATA_DIR/read-models.sqlite. Call init() before use. */
export function openReadModelStore(config: Pick<AppConfig, 'dataDir' | 'mongodbUrl'>): ReadModelStore {
  if (config.mongodbUrl) return new MongoReadModelStore({ url: config.mongodbUrl });
  makePrivateDir(config.dataDir);
  return new SqliteReadModelStore({ path: embeddedReadModelsPath(config.dataDir) });
}

/** The embedded read models' file in DATA_DIR. */
export const embeddedReadModelsPath = (dataDir: string): string => join(dataDir, 'read-models.sqlite');
