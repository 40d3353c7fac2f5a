import { Logger } from '@nestjs/common';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { makePrivateDir } from '../shared/private-files';
import { StartupError } from '../shared/startup-error';
import { StoreUnavailable } from '../shared/store-unavailable';
import type { EventStore } from './event-store.port';
import type { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const logger = new Logger('EventStore');

/**
 * The event store the configuration names: KurrentDB/EventStoreDB when EVENTSTORE_URL is set, else
 * the embedded file. A KurrentDB server that lacks a call ztkeys writes with stops the start naming
 * EVENTSTORE_URL, not each command later. One away at start is an outage like any other: the
 * server starts, not ready, answering 503 until it comes back (its calls are checked then).
 */
export async function openEventStore(config: AppConfig): Promise<EventStore> {
  if (config.eventStoreUrl) {
    // Required here, not imported: the embedded default starts without the KurrentDB client.
    const { KurrentDbEventStore: Kurrent } = require('./kurrentdb/kurrentdb-event-store') as { KurrentDbEventStore: typeof KurrentDbEventStore };
    const store = new Kurrent(config.eventStoreUrl, {
      onSubscriptionDropped: (error, retryInMs) => logger.warn(`subscription dropped (${String(error)}); resubscribing in ${retryInMs} ms`),
    });
    try {
      await store.checkServer();
    } catch (error) {
      if (error instanceof StoreUnavailable) {
        logger.warn(`${error.message}: starting without it (503 until it answers; its version is checked then)`);
        return store;
      }
      await store.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new StartupError(`EVENTSTORE_URL: the KurrentDB event store cannot be used (${reason})`, { cause: error });
    }
    return store;
  }
  makePrivateDir(config.dataDir);
  return new SqliteEventStore({ path: embeddedEventLogPath(config.dataDir) });
}

/** The embedded event log's file in DATA_DIR. */
export const embeddedEventLogPath = (dataDir: string): string => join(dataDir, 'events.sqlite');

/** What to do when the embedded log was lost: said by the tools and by the server's start (lost-event-log.ts). */
export const PUT_BACK_THE_LOG = 'put back the event log of this deployment (events.sqlite of its backup)';

/**
 * Why a tool that reads the server's log (backup, rebuild) cannot run on this configuration: an
 * embedded log DATA_DIR does not hold, or holds empty. A mistyped path would give a copy or a
 * rebuild of nothing, reported as a success.
 */
export function missingEventLog(config: Pick<AppConfig, 'eventStoreUrl' | 'dataDir'>): string | undefined {
  if (config.eventStoreUrl) return undefined;
  const size = statSync(embeddedEventLogPath(config.dataDir), { throwIfNoEntry: false })?.size;
  if (size === undefined) return `DATA_DIR ${config.dataDir} holds no event log (events.sqlite): run with the server's DATA_DIR`;
  // SQLite would open it as a new database: a backup of it, or read models rebuilt from it, would hold nothing.
  if (size === 0) return `DATA_DIR ${config.dataDir} holds an empty event log (events.sqlite, 0 bytes): ${PUT_BACK_THE_LOG}`;
  return undefined;
}
