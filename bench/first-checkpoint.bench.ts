import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { embeddedEventLogPath } from '../src/event-store/open-event-store';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { CHECKPOINT_SIGNED } from '../src/transparency/log-checkpointer';
import { checkpointStream } from '../src/domain/streams';
import { checkLogHere } from '../src/transparency/log-self-check';
import { embeddedMerkleNodesPath } from '../src/transparency/node-store/open-merkle-node-store';
import { SqliteMerkleNodeStore } from '../src/transparency/node-store/sqlite-merkle-node-store';
import { signerFromSeed, signerKeyText } from '../src/transparency/signed-note';
import type { Bench, BenchRow } from './bench-row';
import { median, spread } from './support/median';
import { eventStoreSink, writeOrgHistory, type HistorySink } from './support/audit-export';
import { settled } from './support/settled';
import { GENEROUS_RATE_LIMITS, SERVER_MAIN, spawnServer } from './support/spawned-server';

/** Events of the org whose history fills the log: BENCH_FIRST_CHECKPOINT_EVENTS. */
const EVENTS = Number(process.env.BENCH_FIRST_CHECKPOINT_EVENTS ?? 100_000);
/**
 * BENCH_FIRST_CHECKPOINT_BASELINE=PATH: another build's dist/src/main.js (the one before a
 * change), started in turn with this one on the same log (A B B A A B): an A/B in one run.
 */
const BASELINE = process.env.BENCH_FIRST_CHECKPOINT_BASELINE;
/** Starts of this build when there is no baseline. */
const STARTS = 3;
const SECRETS = {
  JWT_SECRET: 'bench-first-checkpoint-jwt-secret-of-32-bytes',
  CHALLENGE_SECRET: 'bench-first-checkpoint-challenge-secret-32-bytes',
  BOOTSTRAP_TOKEN: 'bench-first-checkpoint-bootstrap-token-32-bytes',
};

/** The history's events without its checkpoints: an org that grew while the server was stopped, for the next start to sign. */
const unsigned =
  (sink: HistorySink): HistorySink =>
  (events) => {
    const leaves = events.filter((event: RecordedEvent) => event.type !== CHECKPOINT_SIGNED);
    return leaves.length > 0 ? sink(leaves) : Promise.resolve();
  };

interface Start {
  build: 'this' | 'baseline';
  /** From the spawn, in ms: it logged that it listens, its check at start finished (its gauge), the grown org's checkpoint (its time). */
  listening: number;
  checked: number;
  signed: number;
  load: number;
}

/**
 * The time from a start to the first checkpoint (R16's signing gate: the checkpointer signs
 * nothing until a check vouched for the stored nodes, the check at start bounded by the orgs or
 * else the check of the whole log). The built server
 * (every role, embedded stores) on a log holding one org's history of BENCH_FIRST_CHECKPOINT_EVENTS
 * events (as the growth bench writes it), caught up by a first start; before each measured start
 * a small org is appended, unsigned, for it to sign. Beside each figure, the same start's check
 * of the whole log (its completion gauge), and that check alone, run in this process on the same
 * files (reading the log and comparing the nodes, as the server's check at start does).
 */
export const firstCheckpointAfterStartBench: Bench = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-first-checkpoint-'));
  const logKey = signerFromSeed('bench.local/audit-log', randomBytes(32));
  const env = { ...SECRETS, ...GENEROUS_RATE_LIMITS, LOG_SIGNING_KEY: signerKeyText(logKey) };
  const events = new SqliteEventStore({ path: embeddedEventLogPath(dataDir) });
  try {
    const into = eventStoreSink(events);
    await writeOrgHistory(into.sink, { orgId: 'history', events: EVENTS, agents: 1000, checkpointEvery: 1000, logKey });
    await into.flush();
    // The first start catches up: the read models and the Merkle nodes built from the log.
    const first = await spawnServer({ dataDir, env });
    await first.listening;
    await settled(first);
    await first.stop();

    const builds: Array<Start['build']> = BASELINE ? ['this', 'baseline', 'baseline', 'this', 'this', 'baseline'] : Array(STARTS).fill('this');
    const starts: Start[] = [];
    for (const [run, build] of builds.entries()) {
      const orgId = `grown-${run}`;
      await writeOrgHistory(unsigned(into.sink), { orgId, events: 1, agents: 0, checkpointEvery: Number.POSITIVE_INFINITY, logKey });
      await into.flush();
      const spawned = Date.now();
      const server = await spawnServer({ dataDir, env, script: build === 'this' ? SERVER_MAIN : BASELINE });
      try {
        await server.listening;
        const listening = Date.now() - spawned;
        let signed: RecordedEvent | undefined;
        let checkedAt = 0;
        for (const deadline = Date.now() + 300_000; !signed || checkedAt === 0; await sleep(100)) {
          if (Date.now() > deadline) throw new Error(`no checkpoint of ${orgId} (or no check) within 300 s of the start`);
          [signed] = await events.readStream(checkpointStream(orgId));
          const metrics = await (await fetch(`${server.url}/metrics`)).text();
          checkedAt = Number(/^ztkeys_audit_log_self_check_completed_timestamp_seconds (\S+)$/m.exec(metrics)?.[1] ?? 0) * 1000;
        }
        starts.push({ build, listening, checked: checkedAt - spawned, signed: Date.parse(signed.metadata.occurredAt) - spawned, load: loadavg()[0] });
        console.error(`  ${new Date().toISOString()} ${build}: listening ${listening} ms, checked ${checkedAt - spawned} ms, first checkpoint ${starts.at(-1)!.signed} ms after the spawn, load ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
      } finally {
        await server.stop();
      }
    }

    const nodes = new SqliteMerkleNodeStore({ path: embeddedMerkleNodesPath(dataDir) });
    const began = performance.now();
    const report = await checkLogHere(events, [logKey], nodes)(new AbortController().signal, (error) => {
      throw error;
    });
    const alone = Math.round(performance.now() - began);
    await nodes.close();
    if (!report || report.faults.length > 0 || report.disagreements?.length) throw new Error(`the check found the log or its nodes wrong: ${JSON.stringify(report)}`);

    const rows: BenchRow[] = [];
    for (const build of ['this', 'baseline'] as const) {
      const mine = starts.filter((start) => start.build === build);
      if (mine.length === 0) continue;
      const loads = spread(mine.map((start) => Math.round(start.load * 10) / 10));
      rows.push({
        name: `${build === 'this' ? 'this build' : `baseline ${BASELINE}`}: from the spawn to the first checkpoint, log of ${EVENTS.toLocaleString('en-US')} events (median of ${mine.length}, ${spread(mine.map((start) => start.signed))} ms, load ${loads})`,
        value: median(mine.map((start) => start.signed)),
        unit: 'ms',
        ceilingName: `the same starts: from the spawn to their check of the log finished (${spread(mine.map((start) => start.checked))} ms; listening ${spread(mine.map((start) => start.listening))} ms)`,
        ceilingValue: median(mine.map((start) => start.checked)),
      });
    }
    rows.push({ name: `the check of the whole log alone (log read, nodes compared), in this process, same files (load ${loadavg()[0].toFixed(1)})`, value: alone, unit: 'ms' });
    return rows;
  } finally {
    await events.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
