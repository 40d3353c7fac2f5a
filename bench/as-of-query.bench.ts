import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asOfProjection, LONGEST_WINDOW_MS } from '../projections/as-of.projection';
import { versionChanges, type CollectionName, type VersionedChange } from '../projections/document-change';
import { AsOfQuery } from '../src/application/queries/as-of-query';
import { decode } from '../src/domain/events/decode';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import { generationName } from '../src/read-models/read-model-schema';
import { SqliteReadModelStore } from '../src/read-models/sqlite/sqlite-read-model-store';
import { asOfAnswered } from '../test/application/support/as-of-answered';
import { OrgEventBuilder, type StreamEvent } from '../test/projections/support/org-event-builder';
import type { Bench, BenchRow } from './bench-row';

/**
 * Issue 15 item 4: "who could perform sensitive tasks at T" in one org of 10,000 agents with a
 * year of history: every agent keeps a WEEKLY window in one browser by signing a task every week,
 * rotates their key every 120 days (and signs the frequency again), 5% are promoted to ADMIN.
 * The history goes through the as-of projection into the embedded store (as a rebuild fills it);
 * then QUERIES instants spread over the year are asked, beside the ceiling: the same three
 * indexed range reads in bare SQL on the same file, documents left unparsed.
 */
const AGENTS = Number(process.env.BENCH_AS_OF_AGENTS ?? 10_000);
const QUERIES = Number(process.env.BENCH_AS_OF_QUERIES ?? 30);
const ORG = 'bench-org';
const DAY = 86_400;
const YEAR = 365 * DAY;

export const asOfQueryBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-as-of-'));
  try {
    const store = new SqliteReadModelStore({ path: join(dir, 'read-models.sqlite') });
    await store.init();
    const { events, start } = await fill(store);
    const generation = await store.activeGeneration('as-of');
    const bare = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
    const query = new AsOfQuery(store);
    const instants = Array.from({ length: QUERIES }, (_, i) => new Date(start + (60 * DAY + ((YEAR - 61 * DAY) * i) / QUERIES) * 1000));
    const answered: number[] = [];
    const ceiling: number[] = [];
    let agentsAnswered = 0;
    for (const at of instants) {
      const started = process.hrtime.bigint();
      agentsAnswered += (await asOfAnswered(query.whoCouldAct(ORG, at, new Date(start + YEAR * 1000)))).agents.length;
      answered.push(Number(process.hrtime.bigint() - started) / 1e6);
      const bareStarted = process.hrtime.bigint();
      bareRangeReads(bare, generation, at);
      ceiling.push(Number(process.hrtime.bigint() - bareStarted) / 1e6);
    }
    bare.close();
    await store.close();
    const label = `as-of query, org of ${AGENTS.toLocaleString('en-US')} agents, a year of history (${events.toLocaleString('en-US')} events), embedded SQLite, ${QUERIES} instants`;
    const ceilingName = 'the same three indexed range reads, bare SQL, documents unparsed';
    const rows: BenchRow[] = [
      { name: `${label}: p50`, value: quantile(answered, 0.5), unit: 'ms', ceilingName: `${ceilingName}: p50`, ceilingValue: quantile(ceiling, 0.5) },
      { name: `${label}: max`, value: quantile(answered, 1), unit: 'ms', ceilingName: `${ceilingName}: max`, ceilingValue: quantile(ceiling, 1) },
      { name: `${label}: agents with an ACTIVE key per answer (mean)`, value: Math.round(agentsAnswered / QUERIES), unit: 'agents' },
    ];
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
};

/** What AsOfQuery reads, without the store port, the JSON parse and the fold. */
function bareRangeReads(db: Database.Database, generation: number, at: Date): number {
  const t = at.toISOString();
  const from = new Date(at.getTime() - LONGEST_WINDOW_MS).toISOString();
  // The indexed fields' columns, as the store names them.
  const read = (collection: CollectionName, where: string, ...bindings: string[]) =>
    db
      .prepare(`SELECT document FROM "${generationName(collection, generation)}" WHERE "orgId" = ? AND ${where}`)
      .pluck()
      .all(ORG, ...bindings).length;
  return (
    read('key_intervals', `"until" > ? AND "from" <= ?`, t, t) +
    read('role_changes', `"at" <= ?`, t) +
    read('browser_windows', `"replacedAt" > ? AND "from" > ? AND "from" <= ?`, t, from, t)
  );
}

/** A year of the org's commands, in time order, projected into a new generation that is then activated. */
async function fill(store: SqliteReadModelStore): Promise<{ events: number; start: number }> {
  const schedule: Array<[number, (org: OrgEventBuilder) => StreamEvent[]]> = [];
  const at = (seconds: number, command: (org: OrgEventBuilder) => StreamEvent[]) => schedule.push([Math.floor(seconds), command]);
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < AGENTS; i++) {
    const agent = `agent-${i}`;
    const joined = 10 + (i / AGENTS) * 30 * DAY;
    at(joined, (org) => org.addAgent('root', agent, 'MEMBER'));
    for (let keyAt = joined + 60; keyAt < YEAR; keyAt += 120 * DAY) {
      at(keyAt, (org) => org.requestKey(agent));
      at(keyAt + 3600, (org) => org.approve('root', agent));
      at(keyAt + 7200, (org) => org.setPromptFrequency(agent, 'laptop', 'WEEKLY'));
    }
    for (let task = joined + DAY; task < YEAR; task += 7 * DAY + random() * 3600) at(task, (org) => org.sensitiveTask(agent, 'laptop', 'remote-control'));
    if (random() < 0.05) at(joined + random() * (YEAR - joined), (org) => org.changeRole('root', agent, 'MEMBER', 'ADMIN'));
  }
  schedule.sort((a, b) => a[0] - b[0]);

  const org = new OrgEventBuilder(ORG, 1);
  const generation = await store.createGeneration('as-of');
  let position = 0n;
  let start: number | undefined;
  let batch: VersionedChange[] = [];
  const flush = async () => {
    await store.apply('as-of', generation, batch, position);
    batch = [];
  };
  // Events are projected as they are made and not kept: a year of them does not fit in memory twice.
  const record = async (events: StreamEvent[]) => {
    for (const { stream, event } of events) {
      position += 1n;
      start ??= Date.parse(event.metadata.occurredAt);
      const recorded: RecordedEvent = { ...event, stream, revision: 0n, position };
      batch.push(...versionChanges(position, asOfProjection.project(decode(recorded))));
    }
    if (batch.length >= 2000) await flush();
  };
  await record(org.createOrganization('root'));
  await record(org.requestKey('root', 'r-root', true));
  let now = 2;
  for (const [time, command] of schedule) {
    if (time > now + 1) org.wait(time - now - 1);
    now = Math.max(time, now + 1);
    await record(command(org));
  }
  await flush();
  await store.activate('as-of', generation);
  return { events: Number(position), start: start as number };
}
