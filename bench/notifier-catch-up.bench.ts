import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode } from '../src/domain/events/decode';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { SqliteNotifierCheckpoint } from '../src/notifications/checkpoint/sqlite-notifier-checkpoint';
import { Notifier } from '../src/notifications/notifier';
import { SqliteEmailQueue } from '../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../src/shared/sqlite-file';
import { OrgEventBuilder, type StreamEvent } from '../test/projections/support/org-event-builder';
import { appendAll } from '../test/read-models/fixtures/synthetic-log';
import type { Bench, BenchRow } from './bench-row';

/**
 * The email notifier's first start on a log it has never planned (the embedded default runs it on
 * the API's main thread): one org growing to BENCH_NOTIFIER_AGENTS agents (default 10,000), each
 * added, then asking for a key, 7 in 10 approved, one in a thousand an ADMIN, and after each
 * agent BENCH_NOTIFIER_TASKS_PER_AGENT sensitive tasks (default 5) of agents already there, which
 * mail nobody. Every key request mails the org's approvers as they stood at that event, so each
 * one folds the org stream (which grows with the org) and the approvers' streams as of its
 * position. Beside it, in the same run, the ceiling: the same log read in pages and decoded, as
 * the notifier's subscription does. Both are timed to the end and both report the CPU of this
 * process (the whole work runs in it).
 */
const AGENTS = Number(process.env.BENCH_NOTIFIER_AGENTS ?? 10_000);
const TASKS_PER_AGENT = Number(process.env.BENCH_NOTIFIER_TASKS_PER_AGENT ?? 5);
const ADMIN_EVERY = 1000;
const PAGE = 256;

const ORG = 'big-org';
const ROOT = `${ORG}.root`;

function* bigOrg(): Generator<StreamEvent[]> {
  const builder = new OrgEventBuilder(ORG);
  yield builder.createOrganization(ROOT);
  yield builder.requestKey(ROOT, undefined, true);
  for (let i = 0; i < AGENTS - 1; i++) {
    const agentId = `agent-${i}`;
    yield builder.addAgent(ROOT, agentId, i % ADMIN_EVERY === 0 ? 'ADMIN' : 'MEMBER');
    yield builder.requestKey(agentId);
    if (i % 10 < 7) yield builder.approve(ROOT, agentId);
    for (let task = 0; task < TASKS_PER_AGENT; task++) yield builder.sensitiveTask(`agent-${(i * 31 + task * 17) % (i + 1)}`, 'laptop', 'remote-control');
  }
}

interface Timed {
  seconds: number;
  cpuMicros: number;
}

async function timed(work: () => Promise<void>): Promise<Timed> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuMicros: used.user + used.system };
}

/** Reads and decodes the whole log, a page at a time, as a subscription delivers it. */
async function readAndDecode(events: SqliteEventStore): Promise<void> {
  for (let after: bigint | undefined, page = await events.readAll(after, PAGE); page.length > 0; page = await events.readAll(after, PAGE)) {
    for (const event of page) decode(event);
    after = page[page.length - 1].position;
  }
}

/** A notifier on a fresh email store follows the log until it has handled the log's head, then stops (saving its checkpoint); returns the jobs it queued. */
async function catchUp(dir: string, events: SqliteEventStore, head: bigint): Promise<number> {
  const db = openSqliteFile(join(dir, `email-${Date.now()}.sqlite`), 'NORMAL');
  const queue = new SqliteEmailQueue(db, { retry: { attempts: 3, backoffMs: 1000 }, lockMs: 30_000, keepCompletedMs: 3600_000 });
  const checkpoint = new SqliteNotifierCheckpoint(db);
  const notifier = new Notifier({ events, queue, checkpoint });
  try {
    await notifier.start();
    while (notifier.position !== head) await sleep(5);
    return (await queue.counts()).waiting;
  } finally {
    await notifier.stop();
    await queue.close();
    db.close();
  }
}

export const notifierCatchUpBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-notifier-'));
  const events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
  try {
    const count = await appendAll(events, bigOrg());
    const head = (await events.headPosition())!;
    const load = [loadavg()[0]];
    const ceiling = await timed(() => readAndDecode(events));
    let jobs = 0;
    const notifier = await timed(async () => void (jobs = await catchUp(dir, events, head)));
    load.push(loadavg()[0]);
    const rate = ({ seconds }: Timed) => Math.round(count / seconds);
    const perEvent = ({ cpuMicros }: Timed) => Math.round(cpuMicros / count);
    const what = `${count.toLocaleString('en-US')} events, one org of ${AGENTS.toLocaleString('en-US')} agents and ${TASKS_PER_AGENT} sensitive tasks per agent (${jobs.toLocaleString('en-US')} email jobs queued)`;
    const during = `load average ${load.map((value) => value.toFixed(1)).join('-')}`;
    const ceilingName = 'the same log read and decoded, 256 events a page';
    return [
      { name: `(${new Date().toISOString().slice(0, 16)}, ${during}) email notifier's first catch-up, embedded, ${what}`, value: rate(notifier), unit: 'events/s', ceilingName, ceilingValue: rate(ceiling) },
      { name: `(same run) the notifier's CPU per event (this thread and SQLite: all of it on the API's main thread when embedded)`, value: perEvent(notifier), unit: 'µs CPU/event', ceilingName, ceilingValue: perEvent(ceiling) },
    ] satisfies BenchRow[];
  } finally {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
