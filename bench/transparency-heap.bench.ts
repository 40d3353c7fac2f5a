import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment } from '../src/config/environment';
import type { Bench, BenchRow } from './bench-row';
import { memoryAfterGc, memoryReporting } from './support/server-memory';

/** New orgs after the follower's bound: BENCH_TRANSPARENCY_HEAP_ORGS, in steps of 10,000. */
const ORGS = Number(process.env.BENCH_TRANSPARENCY_HEAP_ORGS ?? 60_000);
const STEP = 10_000;

/**
 * The transparency thread's V8 heap in use (after a GC of every thread) as new orgs come, each
 * with three events and its checkpoint: once the follower holds its bound of orgs
 * (LOG_ORGS_IN_MEMORY, 10,000 by default), and after ORGS more, 10,000 at a time; the thread as
 * the server starts it, the API's appends on another connection (support/transparency-load.main.ts).
 * What an org costs past the bound is what the thread keeps per org beyond it: 0 once every
 * per-org structure of the thread is bounded by the follower's.
 */
export const transparencyHeapBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-transparency-heap-'));
  const reportFile = join(dir, 'memory.ndjson');
  const { nodeArgs, env } = memoryReporting(reportFile);
  const child = fork(join(__dirname, 'support', 'transparency-load.main.js'), [dir], { execArgv: nodeArgs, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const settled = () => new Promise<void>((resolve) => child.once('message', () => resolve()));
  const feed = (orgs: number) => {
    const done = settled();
    child.send({ orgs });
    return done;
  };
  const used = async () => (await memoryAfterGc(child.pid!, reportFile)).threads.find(({ name }) => name === 'transparency.worker')!.used;
  try {
    await settled();
    const bound = readEnvironment({}).LOG_ORGS_IN_MEMORY;
    await feed(bound);
    const atBound = await used();
    const readings = [atBound];
    for (let fed = 0; fed < ORGS; fed += STEP) {
      await feed(STEP);
      readings.push(await used());
    }
    const last = readings.at(-1)!;
    const load = loadavg().map((value) => value.toFixed(1)).join(' ');
    console.error(`transparency thread's heap used, MiB, at the bound then every ${STEP.toLocaleString('en-US')} orgs: ${readings.join(', ')} (load average ${load})`);
    const rows: BenchRow[] = [
      {
        name: `transparency thread's V8 heap used after a GC, ${ORGS.toLocaleString('en-US')} orgs past the follower's bound (load average ${load})`,
        value: last,
        unit: 'MiB',
        ceilingName: `the same at the bound (${bound.toLocaleString('en-US')} orgs)`,
        ceilingValue: atBound,
      },
      { name: `heap an org past the bound (${readings.join(', ')} MiB every ${STEP.toLocaleString('en-US')} orgs)`, value: Math.round(((last - atBound) * 1048576) / ORGS), unit: 'bytes' },
    ];
    return rows;
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
};
