/** A real event log and read-model store for runner and query tests, and checks against the reference semantics. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { COLLECTIONS } from '../../../projections/document-change';
import { PROJECTIONS } from '../../../projections/projections';
import type { EventStore, RecordedEvent } from '../../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../../src/event-store/sqlite/sqlite-event-store';
import { ProjectionRunner } from '../../../src/read-models/projection-runner';
import type { ReadModelStore } from '../../../src/read-models/read-model-store.port';
import { InMemoryDocuments } from '../../../projections/in-memory-documents';
import { project } from '../../projections/support/recording-log';
import { MONGODB_URL, openMongo, openSqlite, tempDir } from './stores';

export interface StoreKind {
  name: 'sqlite' | 'mongodb';
  open(): Promise<{ store: ReadModelStore; cleanup(): Promise<void>; childArgs: string[] }>;
}

const sqliteKind: StoreKind = {
  name: 'sqlite',
  async open() {
    const opened = await openSqlite();
    return {
      store: opened.store,
      childArgs: ['sqlite', join(opened.dir, 'read-models.sqlite')],
      cleanup: async () => {
        await opened.store.close();
        await opened.cleanup();
      },
    };
  },
};

const mongoKind: StoreKind = {
  name: 'mongodb',
  async open() {
    const opened = await openMongo();
    return { store: opened.store, childArgs: ['mongodb', MONGODB_URL as string, opened.database], cleanup: opened.cleanup };
  },
};

/** The embedded store always; MongoDB when MONGODB_URL is set (else one line says it was skipped). */
export function storeKinds(suite: string): StoreKind[] {
  if (!MONGODB_URL) process.stdout.write(`SKIPPED: ${suite} on MongoDB: MONGODB_URL is not set (bash .ci/ferretdb.sh starts FerretDB and prints one)\n`);
  return MONGODB_URL ? [sqliteKind, mongoKind] : [sqliteKind];
}

/** An embedded event log in a fresh folder; `existing` writes the file first (a log an earlier version created). */
export function openEventLog(existing?: (path: string) => void): { events: SqliteEventStore; path: string; cleanup(): Promise<void> } {
  const dir = tempDir('events');
  const path = join(dir, 'events.sqlite');
  existing?.(path);
  const events = new SqliteEventStore({ path, pollIntervalMs: 20 });
  return {
    events,
    path,
    cleanup: async () => {
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function readWholeLog(events: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await events.readAll(all.at(-1)?.position, 1000);
    if (page.length === 0) return all;
    all.push(...page);
  }
}

/** Every document of every collection, with ids and versions. */
export async function dumpAll(store: ReadModelStore, generations?: Partial<Record<string, number>>) {
  const out: Record<string, unknown> = {};
  for (const projection of Object.values(PROJECTIONS)) {
    for (const collection of projection.collections) out[collection] = await store.dump(collection, generations?.[projection.name]);
  }
  return out;
}

/** What the documents must be after applying the log: the reference semantics of the projections. */
export function referenceDump(log: readonly RecordedEvent[]): Record<string, unknown> {
  const documents = new InMemoryDocuments();
  for (const projection of Object.values(PROJECTIONS)) project(projection, log, documents);
  return Object.fromEntries(COLLECTIONS.map((collection) => [collection, documents.dump(collection)]));
}

/** Starts one runner feeding every read model, as the projector does. */
export async function startRunners(events: EventStore, store: ReadModelStore, options: ConstructorParameters<typeof ProjectionRunner>[3] = {}) {
  const runner = new ProjectionRunner(events, store, Object.values(PROJECTIONS), { generationCheckMs: 100, ...options });
  await runner.start();
  return { runner, stop: () => runner.stop() };
}

/** Resolves once every read model's active generation has applied the head of the log. */
export async function waitUntilCaughtUp(events: EventStore, store: ReadModelStore, timeoutMs = 60_000): Promise<void> {
  const head = await events.headPosition();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checkpoints = await Promise.all(Object.values(PROJECTIONS).map((p) => store.checkpoint(p.name)));
    if (head === undefined || checkpoints.every((c) => c !== undefined && c >= head)) return;
    if (Date.now() > deadline) throw new Error(`read models at ${checkpoints.join(', ')}; head ${head}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
