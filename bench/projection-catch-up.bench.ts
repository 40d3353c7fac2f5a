import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { dropMongoDatabase, throwawayDatabaseName } from '../test/support/mongo-database';
import { PROJECTIONS } from '../projections/projections';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { INSERT_EVENT_SQL, openEventLog } from '../src/event-store/sqlite/sqlite-event-log';
import { MongoReadModelStore } from '../src/read-models/mongodb/mongo-read-model-store';
import { ReadQueries } from '../src/application/queries/read-queries';
import { rebuildReadModels } from '../src/read-models/rebuild-read-models';
import type { EventStore } from '../src/event-store/event-store.port';
import type { ReadModelStore } from '../src/read-models/read-model-store.port';
import { SqliteReadModelStore } from '../src/read-models/sqlite/sqlite-read-model-store';
import { syntheticCommands } from '../test/read-models/fixtures/synthetic-log';
import type { Bench, BenchRow } from './bench-row';

/**
 * Projection catch-up: the three read models rebuilt at once (one reader feeding them all, as in
 * the app; indexes built once filled, before the switch) from a synthetic log (50 orgs of up to
 * 400 agents: key requests, decisions, prompt frequencies, sensitive tasks), beside a bare bulk
 * write of the same final rows: the rebuilt tables' rows, loaded beforehand, inserted into
 * tables of the same shape 5,000 rows a transaction, then the same indexes built.
 * Embedded, it runs over the first 100,000 events and over all of them (cost must grow linearly),
 * and measures meanwhile, every 10 ms in the same process, how late a timer fires (what a
 * request such as /health/live waits for the event loop) and a pending-keys read (p99 each).
 * Sizes: BENCH_PROJECTION_EVENTS (default 1,000,000, about two minutes of catch-up on 2 cores)
 * for the embedded store; BENCH_PROJECTION_EVENTS_MONGODB (default 6,000: FerretDB 1.x takes a
 * few ms per write, so a million would take most of an hour) for MongoDB.
 */
const EVENTS = Number(process.env.BENCH_PROJECTION_EVENTS ?? 1_000_000);
const MONGODB_EVENTS = Number(process.env.BENCH_PROJECTION_EVENTS_MONGODB ?? 6_000);
const FILL_BATCH = 10_000;
const PROBE_MS = 10;

export const projectionCatchUpBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-projections-'));
  try {
    const logPath = join(dir, 'events.sqlite');
    const sampleDocument = fillLog(logPath, Math.max(EVENTS, process.env.MONGODB_URL ? MONGODB_EVENTS : 0));
    const rows: BenchRow[] = [];

    for (const count of [...new Set([Math.min(EVENTS, 100_000), EVENTS])]) {
      const storePath = join(dir, `read-models-${count}.sqlite`);
      const embedded = new SqliteReadModelStore({ path: storePath });
      const { rate, probes } = await catchUpRate(logPath, embedded, BigInt(count), new ReadQueries(embedded));
      await embedded.close();
      const label = `catch-up of the 3 read models, embedded SQLite, ${count.toLocaleString('en-US')} events`;
      const bare = bareRewrite(storePath, join(dir, `bare-${count}.sqlite`));
      rows.push(
        {
          name: `${label} (${bare.rows.toLocaleString('en-US')} final rows)`,
          value: Math.round(rate),
          unit: 'events/s',
          ceilingName: 'bare SQLite bulk write of the same final rows and indexes (same pragmas), per event',
          ceilingValue: Math.round(count / bare.seconds),
        },
        { name: `${label}: event-loop wait meanwhile (a /health/live request waits as long), p99`, value: probes.loop, unit: 'ms', ceilingName: 'goal', ceilingValue: 50 },
        { name: `${label}: event-loop wait meanwhile, max`, value: probes.loopMax, unit: 'ms' },
        { name: `${label}: pending-keys read meanwhile, p99`, value: probes.read, unit: 'ms', ceilingName: 'goal', ceilingValue: 50 },
      );
    }

    const url = process.env.MONGODB_URL;
    if (url) {
      const database = throwawayDatabaseName('ztkeys_bench');
      const mongo = new MongoReadModelStore({ url, database });
      try {
        rows.push({
          name: `catch-up of the 3 read models, MongoDB (FerretDB), ${MONGODB_EVENTS.toLocaleString('en-US')} events`,
          value: Math.round((await catchUpRate(logPath, mongo, BigInt(MONGODB_EVENTS))).rate),
          unit: 'events/s',
          ceilingName: 'bare insertMany of as many audit-sized documents, same server',
          ceilingValue: Math.round(await bareMongoInsertRate(url, database, MONGODB_EVENTS, sampleDocument)),
        });
      } finally {
        await mongo.close();
        await dropMongoDatabase(url, database);
      }
    } else {
      console.error('  projection catch-up on MongoDB skipped: MONGODB_URL is not set');
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Writes the synthetic log straight into the event-log file; returns one event's JSON, for the ceilings. */
function fillLog(path: string, count: number): string {
  const db = openEventLog(path);
  db.pragma('synchronous = OFF');
  const insert = db.prepare(INSERT_EVENT_SQL);
  const revisions = new Map<string, bigint>();
  let written = 0;
  let sample = '';
  let batch: Array<Record<string, unknown>> = [];
  const flush = db.transaction((rows: Array<Record<string, unknown>>) => rows.forEach((row) => insert.run(row)));
  for (const command of syntheticCommands({ orgs: 50, agentsPerOrg: 400, commands: count, seed: 42 })) {
    for (const { stream, event } of command) {
      const revision = (revisions.get(stream) ?? -1n) + 1n;
      revisions.set(stream, revision);
      const row = { ...event, stream, revision, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) };
      if (event.type === 'KeyRequested') sample ||= JSON.stringify({ ...event, stream, revision: Number(revision) });
      batch.push(row);
      written += 1;
    }
    if (batch.length >= FILL_BATCH || written >= count) {
      flush(batch);
      batch = [];
    }
    if (written >= count) break;
  }
  db.close();
  return sample;
}

/**
 * Starts a runner per read model on an empty store; events/s until every one has applied
 * `until`, and with `queries` the p99 latencies (ms) of probes made every 10 ms meanwhile.
 */
async function catchUpRate(
  logPath: string,
  readModels: ReadModelStore,
  until: bigint,
  queries?: ReadQueries,
): Promise<{ rate: number; probes: { loop: number; loopMax: number; read: number } }> {
  const events = new SqliteEventStore({ path: logPath });
  await readModels.init();
  const loopWaits: number[] = [];
  const reads: number[] = [];
  let probing = queries !== undefined;
  const probe = async (): Promise<void> => {
    while (probing) {
      const due = performance.now() + PROBE_MS;
      await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
      const woke = performance.now();
      loopWaits.push(woke - due);
      await queries?.pendingKeys('org-42-0', 50);
      reads.push(performance.now() - due);
    }
  };
  const probing$ = probe();
  const started = process.hrtime.bigint();
  await rebuildReadModels(headAt(events, until), readModels, Object.values(PROJECTIONS), { graceMs: 0 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  probing = false;
  await probing$;
  await events.close();
  return { rate: Number(until) / seconds, probes: { loop: p99(loopWaits), loopMax: round(Math.max(0, ...loopWaits)), read: p99(reads) } };
}

/** The log as if its head were at `until`: the rebuild stops there. */
function headAt(events: SqliteEventStore, until: bigint): EventStore {
  return new Proxy(events, {
    get: (target, property, receiver) =>
      property === 'headPosition' ? async () => until : (Reflect.get(target, property, receiver) as unknown),
  });
}

function p99(samples: number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]);
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * The ceiling: the rows the catch-up ended with, written by a bare loop of prepared inserts into
 * tables of the same shape (5,000 rows a transaction, as a full batch), then the same indexes
 * built. Rows are read from the caught-up store a chunk at a time, outside the timing.
 */
function bareRewrite(storePath: string, barePath: string): { rows: number; seconds: number } {
  const source = new Database(storePath, { readonly: true });
  const bare = new Database(barePath);
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = NORMAL');
  const schema = source.prepare("SELECT type, tbl_name AS name, sql FROM sqlite_master WHERE tbl_name GLOB '*_[0-9]*' AND sql IS NOT NULL").all() as Array<{
    type: string;
    name: string;
    sql: string;
  }>;
  let rows = 0;
  let nanoseconds = 0n;
  const timed = (run: () => void): void => {
    const started = process.hrtime.bigint();
    run();
    nanoseconds += process.hrtime.bigint() - started;
  };
  for (const table of schema.filter((entry) => entry.type === 'table')) {
    timed(() => bare.exec(table.sql));
    const read = source.prepare(`SELECT rowid, id, version, document FROM "${table.name}" WHERE rowid > ? ORDER BY rowid LIMIT 5000`);
    const insert = bare.prepare(`INSERT INTO "${table.name}" (id, version, document) VALUES (?, ?, ?)`);
    const write = bare.transaction((chunk: Array<{ id: string; version: string; document: string }>) => {
      for (const row of chunk) insert.run(row.id, row.version, row.document);
    });
    for (let after = 0; ; ) {
      const chunk = read.all(after) as Array<{ rowid: number; id: string; version: string; document: string }>;
      if (chunk.length === 0) break;
      timed(() => write(chunk));
      rows += chunk.length;
      after = chunk[chunk.length - 1].rowid;
    }
  }
  for (const index of schema.filter((entry) => entry.type === 'index')) timed(() => bare.exec(index.sql));
  source.close();
  bare.close();
  return { rows, seconds: Number(nanoseconds) / 1e9 };
}

async function bareMongoInsertRate(url: string, database: string, count: number, document: string): Promise<number> {
  const client = await MongoClient.connect(url);
  const collection = client.db(database).collection<{ _id: string }>('bare');
  const body = JSON.parse(document) as Record<string, unknown>;
  const started = process.hrtime.bigint();
  for (let first = 0; first < count; first += 1000) {
    const size = Math.min(1000, count - first);
    await collection.insertMany(Array.from({ length: size }, (_, i) => ({ ...body, _id: `doc-${first + i}` })), { ordered: false });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.close();
  return count / seconds;
}
