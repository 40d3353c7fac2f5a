import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bench } from './bench-row';
import { processTreeCpuMicros } from './support/process-cpu';
import { startSpawnedServer } from './support/spawned-server';

/** From listening until the window: the start's own work (the self-check, the first checkpoint, V8's memory reducer) is over. */
const SETTLE_SECONDS = Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 60);
const WINDOW_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);

/** A process that only listens: what any Node server costs doing nothing. */
const BARE_SERVER = "require('node:http').createServer().listen(0, '127.0.0.1')";

/**
 * What a server doing nothing costs the machine: the built server (`node dist/src/main.js`, MALLOC_ARENA_MAX=2; every
 * role, its worker threads, an empty data folder), settled, then its CPU over a window without a
 * request; beside it a bare Node HTTP server over the same window. What is left above the bare
 * server: the event-loop delay histogram of the metrics (a timer every 10 ms), the subscriptions'
 * polls for other processes' appends, the email queue's poll.
 */
export const idleServerBench: Bench = async () => {
  const server = await startSpawnedServer({ env: { MALLOC_ARENA_MAX: '2' } });
  const bare = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: 'ignore' });
  try {
    await sleep(SETTLE_SECONDS * 1000);
    const load = loadavg()[0].toFixed(1);
    const before = { server: processTreeCpuMicros(server.pid), bare: processTreeCpuMicros(bare.pid!) };
    await sleep(WINDOW_SECONDS * 1000);
    const perSecond = (now: number, then: number) => Math.round((now - then) / 10 / WINDOW_SECONDS) / 100;
    return [
      {
        name: `(load average ${load}) server CPU while idle, ${WINDOW_SECONDS} s from ${SETTLE_SECONDS} s after it listens, empty data folder, every role`,
        value: perSecond(processTreeCpuMicros(server.pid), before.server),
        unit: 'ms a second',
        ceilingName: 'a bare node:http server listening, the same seconds',
        ceilingValue: perSecond(processTreeCpuMicros(bare.pid!), before.bare),
      },
    ];
  } finally {
    bare.kill();
    await server.stop();
  }
};
