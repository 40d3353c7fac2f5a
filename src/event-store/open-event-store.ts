import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import type { EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/** The event store the configuration names: EventStoreDB/KurrentDB when EVENTSTORE_URL is set, else the embedded file. */
export function openEventStore(config: AppConfig): EventStore {
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteEventStore({ path: join(config.dataDir, 'events.sqlite') });
}
