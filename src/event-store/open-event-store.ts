import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { makePrivateDir } from '../shared/private-files';
import type { EventStore } from './event-store.port';
import { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const logger = new Logger('EventStore');

/** The event store the configuration names: KurrentDB/EventStoreDB when EVENTSTORE_URL is set, else the embedded file. */
export function openEventStore(config: AppConfig): EventStore {
  if (config.eventStoreUrl) {
    return new KurrentDbEventStore(config.eventStoreUrl, {
      onSubscriptionDropped: (error, retryInMs) => logger.warn(`subscription dropped (${String(error)}); resubscribing in ${retryInMs} ms`),
    });
  }
  makePrivateDir(config.dataDir);
  return new SqliteEventStore({ path: embeddedEventLogPath(config.dataDir) });
}

/** The embedded event log's file in DATA_DIR. */
export const embeddedEventLogPath = (dataDir: string): string => join(dataDir, 'events.sqlite');
