import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { dropMongoDatabase, throwawayDatabaseName } from '../test/support/mongo-database';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { type EventRowValues, INSERT_EVENT_SQL, insertEvent, openEventLog } from '../src/event-store/sqlite/sqlite-event-log';
import { MongoReadModelStore } from '../src/read-models/mongodb/mongo-read-model-store';
import { ReadQueries } from '../src/application/queries/read-queries';
import { rebuildReadModels } from '../src/read-models/rebuild-read-models';
import { OWN_LOOP_BATCHES } from '../src/read-models/projection-runner';
import type { ReadModelStore } from '../src/read-models/read-model-store.port';
import { READ_MODEL_WAL_AUTOCHECKPOINT_PAGES, SqliteReadModelStore } from '../src/read-models/sqlite/sqlite-read-model-store';
import { projectedModels } from '../src/read-models/projected-models';
import { startOnThread } from '../src/runtime/projector-thread';
import { projectorLanes } from '../src/runtime/projector-lanes';
import { DEFAULT_PROJECTOR_THREADS } from '../src/config/environment';
import type { ReadModelName } from '../projections/projection';
import type { RunningProjections } from '../src/runtime/live-projections';
import { syntheticCommands } from '../test/read-models/fixtures/synthetic-log';
import type { Bench, BenchRow } from './bench-row';

/**
 * Projection catch-up from a synthetic log (50 orgs of up to 400 agents: key requests, decisions,
 * prompt frequencies, sensitive tasks). Embedded, the audit trail is the log's own table, so the
 * runner feeds the other read models, and over the first 100,000 events and over all of them
 * (cost must grow linearly) it measures:
 * - their rebuild (one reader feeding them all; indexes built once filled, before the switch),
 *   beside a bare bulk write of the same final rows: the rebuilt tables' rows, loaded
 *   beforehand, inserted into tables of the same shape 5,000 rows a transaction, then the same
 *   indexes built;
 * - the projector's catch-up on its worker threads, as the embedded app runs it (the lanes of
 *   PROJECTOR_THREADS' default), and on one thread feeding every model, each from an empty
 *   read-model file over a log of that many events, while this thread, every 10 ms, measures how
 *   late a timer fires (what a request such as /health/live waits for the event loop) and reads a
 *   pending-keys page through its own connection (p99 each); and the process's CPU an event, the
 *   larger size's beside the first's (1 where the cost grows linearly with the log).
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
    // Each size reads a log of exactly that many events: a rebuild stopped at a head short of the
    // log's end ran on into the next batch (up to twice the events) when its poll came late.
    let sampleDocument = '';
    const logOf = (count: number): string => {
      const path = join(dir, `events-${count}.sqlite`);
      if (!existsSync(path)) sampleDocument = fillLog(path, count);
      return path;
    };
    const rows: BenchRow[] = [];
    /** The CPU an event at the first size: the ceiling of the next (a cost linear in the log keeps it). */
    let firstCpu: { events: number; micros: number } | undefined;

    for (const count of [...new Set([Math.min(EVENTS, 100_000), EVENTS])]) {
      const countLogPath = logOf(count);
      const storePath = join(dir, `read-models-${count}.sqlite`);
      const embedded = new SqliteReadModelStore({ path: storePath, eventLogPath: countLogPath });
      const models = projectedModels(embedded);
      const rate = await rebuildRate(countLogPath, embedded, count);
      await embedded.close();
      const label = `${count.toLocaleString('en-US')} events, embedded SQLite (${models.map((m) => m.name).join(', ')}; the audit trail is the log's own table)`;
      const bare = bareRewrite(storePath, join(dir, `bare-${count}.sqlite`));
      const ceiling = { ceilingName: 'bare SQLite bulk write of the same final rows and indexes (same pragmas), per event', ceilingValue: Math.round(count / bare.seconds) };
      const lanes = projectorLanes(models.map(({ name }) => name), DEFAULT_PROJECTOR_THREADS);
      const threaded = await threadCatchUp(countLogPath, join(dir, `thread-${count}.sqlite`), BigInt(count), lanes);
      const oneThread = lanes.length > 1 ? await threadCatchUp(countLogPath, join(dir, `one-thread-${count}.sqlite`), BigInt(count), [models.map(({ name }) => name)]) : undefined;
      rows.push(
        { name: `rebuild of the read models, ${label} (${bare.rows.toLocaleString('en-US')} final rows)`, value: Math.round(rate), unit: 'events/s', ...ceiling },
        { name: `catch-up on the projector's ${lanesLabel(lanes)}, ${label}`, value: Math.round(threaded.rate), unit: 'events/s', ...ceiling },
        ...(oneThread ? [{ name: `the same catch-up on one thread feeding every model`, value: Math.round(oneThread.rate), unit: 'events/s', ...ceiling }] : []),
        { name: `${count.toLocaleString('en-US')} events: event-loop wait during the thread's catch-up (a /health/live request waits as long), p99`, value: threaded.probes.loop, unit: 'ms', ceilingName: 'goal', ceilingValue: 50 },
        { name: `${count.toLocaleString('en-US')} events: event-loop wait during the thread's catch-up, max`, value: threaded.probes.loopMax, unit: 'ms' },
        { name: `${count.toLocaleString('en-US')} events: pending-keys read during the thread's catch-up, p99`, value: threaded.probes.read, unit: 'ms', ceilingName: 'goal', ceilingValue: 50 },
        {
          name: `${count.toLocaleString('en-US')} events: the process's CPU per event during the threads' catch-up`,
          value: round(threaded.cpuMicrosPerEvent),
          unit: 'µs CPU/event',
          ...(firstCpu && { ceilingName: `the same over ${firstCpu.events.toLocaleString('en-US')} events (the first tenth of the same history: another mix of events)`, ceilingValue: firstCpu.micros }),
        },
      );
      firstCpu ??= { events: count, micros: round(threaded.cpuMicrosPerEvent) };
    }

    const url = process.env.MONGODB_URL;
    if (url) {
      const database = throwawayDatabaseName('ztkeys_bench');
      const mongo = new MongoReadModelStore({ url, database });
      try {
        rows.push({
          name: `rebuild of the read models (the audit trail too), MongoDB (FerretDB), ${MONGODB_EVENTS.toLocaleString('en-US')} events`,
          value: Math.round(await rebuildRate(logOf(MONGODB_EVENTS), mongo, MONGODB_EVENTS)),
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
  let batch: Array<EventRowValues & { stream: string; revision: bigint }> = [];
  const flush = db.transaction((rows: typeof batch) => rows.forEach((row) => insertEvent(insert, row.stream, row.revision, row)));
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

/** Events/s of a rebuild of every read model the store needs fed from a log of `count` events, with batches as long as on the projector's thread or in the rebuild command. */
async function rebuildRate(logPath: string, readModels: ReadModelStore, count: number): Promise<number> {
  const events = new SqliteEventStore({ path: logPath });
  await readModels.init();
  const started = process.hrtime.bigint();
  await rebuildReadModels(events, readModels, projectedModels(readModels), { graceMs: 0, ...OWN_LOOP_BATCHES });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await events.close();
  return count / seconds;
}

/**
 * The embedded app's projector: its worker thread catches up from an empty read-model file with
 * the log at `head`; events/s until it reported the head for every model, and the p99 latencies
 * (ms) of probes made every 10 ms meanwhile on this thread.
 */
async function threadCatchUp(
  logPath: string,
  storePath: string,
  head: bigint,
  lanes: ReadonlyArray<readonly ReadModelName[]>,
): Promise<{ rate: number; cpuMicrosPerEvent: number; probes: { loop: number; loopMax: number; read: number } }> {
  const store = new SqliteReadModelStore({ path: storePath, eventLogPath: logPath });
  await store.init();
  const queries = new ReadQueries(store);
  const models = projectedModels(store);
  const loopWaits: number[] = [];
  const reads: number[] = [];
  let caughtUp: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (caughtUp = resolve));
  let running: RunningProjections | undefined;
  const check = (): void => {
    if (running && models.every(({ name }) => (running?.positionOf(name) ?? -1n) >= head)) caughtUp();
  };
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  running = await startOnThread({ eventLogPath: logPath, readModelsPath: storePath, lanes })({
    onError: (error) => console.error(`  projector thread: ${String(error)}`),
    onDiverged: () => undefined,
    onRebuilt: () => undefined,
    onStalled: () => undefined,
    onProgress: check,
  });
  check();
  let probing = true;
  const probe = async (): Promise<void> => {
    while (probing) {
      const due = performance.now() + PROBE_MS;
      await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
      loopWaits.push(performance.now() - due);
      await queries.pendingKeys('org-42-0', undefined, 51);
      reads.push(performance.now() - due);
    }
  };
  const probing$ = probe();
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  probing = false;
  await probing$;
  await running.stop();
  await store.close();
  return { rate: Number(head) / seconds, cpuMicrosPerEvent: (cpu.user + cpu.system) / Number(head), probes: { loop: p99(loopWaits), loopMax: round(Math.max(0, ...loopWaits)), read: p99(reads) } };
}

/** "worker thread" or "2 worker threads (org-status, pending-keys | as-of, recoveries)". */
function lanesLabel(lanes: ReadonlyArray<readonly ReadModelName[]>): string {
  return lanes.length === 1 ? 'worker thread' : `${lanes.length} worker threads (${lanes.map((lane) => lane.join(', ')).join(' | ')})`;
}

function p99(samples: number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]);
}

const round = (value: number): number => Math.round(value * 10) / 10;

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
  bare.pragma(`wal_autocheckpoint = ${READ_MODEL_WAL_AUTOCHECKPOINT_PAGES}`);
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
    if (/WITHOUT ROWID/i.test(table.sql)) {
      // The org totals: a few rows per org, written in one go.
      const all = source.prepare(`SELECT * FROM "${table.name}"`).all() as Array<Record<string, unknown>>;
      if (all.length === 0) continue;
      const columns = Object.keys(all[0]);
      const insert = bare.prepare(`INSERT INTO "${table.name}" (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
      timed(() => bare.transaction(() => all.forEach((row) => insert.run(row)))());
      rows += all.length;
      continue;
    }
    // Every column: the document, its version and the indexed fields' columns beside it.
    const columns = (source.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table.name) as string[]).map((name) => `"${name}"`);
    const read = source.prepare(`SELECT rowid, ${columns.join(', ')} FROM "${table.name}" WHERE rowid > ? ORDER BY rowid LIMIT 5000`).raw();
    const insert = bare.prepare(`INSERT INTO "${table.name}" (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    const write = bare.transaction((chunk: unknown[][]) => {
      for (const row of chunk) insert.run(...row.slice(1));
    });
    for (let after = 0; ; ) {
      const chunk = read.all(after) as unknown[][];
      if (chunk.length === 0) break;
      timed(() => write(chunk));
      rows += chunk.length;
      after = chunk[chunk.length - 1][0] as number;
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
