import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { embeddedEventLogPath } from '../event-store/open-event-store';
import { makePrivateDir } from '../shared/private-files';
import type { MongoReadModelStore } from './mongodb/mongo-read-model-store';
import type { ReadModelStore } from './read-model-store.port';
import { SqliteReadModelStore } from './sqlite/sqlite-read-model-store';

/** An upgrade is news; columns an older release left stale are a warning. */
const logInPlaceChange = (message: string, kind: 'upgrade' | 'repair'): void => (kind === 'upgrade' ? new Logger('ReadModels').log(message) : new Logger('ReadModels').warn(message));

/** The read-model store the configuration names: MongoDB when MONGODB_URL is set, else DATA_DIR/read-models.sqlite. Call init() before use. */
export function openReadModelStore(config: Pick<AppConfig, 'dataDir' | 'mongodbUrl' | 'eventStoreUrl'>): ReadModelStore {
  if (config.mongodbUrl) {
    // Required here, not imported: the embedded default starts without the MongoDB driver.
    const { MongoReadModelStore: Mongo } = require('./mongodb/mongo-read-model-store') as { MongoReadModelStore: typeof MongoReadModelStore };
    return new Mongo({ url: config.mongodbUrl, onInPlaceChange: logInPlaceChange });
  }
  makePrivateDir(config.dataDir);
  // With the embedded log, the audit trail is answered from the log's own table.
  return new SqliteReadModelStore({
    path: embeddedReadModelsPath(config.dataDir),
    eventLogPath: config.eventStoreUrl ? undefined : embeddedEventLogPath(config.dataDir),
    onInPlaceChange: logInPlaceChange,
  });
}

/** The embedded read models' file in DATA_DIR. */
export const embeddedReadModelsPath = (dataDir: string): string => join(dataDir, 'read-models.sqlite');
