import type { BenchRow } from '../bench-row';
import { fire, type LoadRequest, type LoadResult } from './load';
import type { MinimalServer, MinimalWork } from './minimal-server';

/** Issue 14: a request path may cost at most this many times the server CPU of the minimal handler doing the same work. */
export const CPU_GOAL = 1.5;

/**
 * Requests each server (the app, then the minimal handler) serves untimed before its timed run, as
 * a long-running server has: V8's optimizing compiler runs on a thread of its own, counted in the
 * server's CPU, until the hot code is compiled, and the app has far more of it than the minimal
 * handler. After 500 signed tasks it still took a quarter of the app's CPU (a `perf` profile); the
 * app's CPU per request settled after 2,000-3,000 (docs/benchmarks-journal.md, "Request paths, warm-up").
 */
export const WARMUP_REQUESTS = Number(process.env.BENCH_WARMUP_REQUESTS ?? 3_000);

/** The rows of a request path beside the minimal Fastify handler doing the same work (./minimal-server.ts), measured in the same run. */
export function versusMinimal(name: string, app: LoadResult, minimal: LoadResult): BenchRow[] {
  const verdict = app.cpuMicrosPerRequest <= CPU_GOAL * minimal.cpuMicrosPerRequest ? 'PASS' : 'FAIL';
  return [
    { name, value: Math.round(app.perSecond), unit: 'req/s', ceilingName: 'minimal Fastify handler, same work', ceilingValue: Math.round(minimal.perSecond) },
    {
      name: `${name}: server CPU per request, ${verdict} (needs ≤ ${CPU_GOAL} × minimal)`,
      value: Math.round(app.cpuMicrosPerRequest),
      unit: 'µs CPU/req',
      ceilingName: 'minimal Fastify handler, same work',
      ceilingValue: Math.round(minimal.cpuMicrosPerRequest),
    },
  ];
}

/** Warms up the app at `url` and the minimal route doing `work`, then times each on the same requests, one after the other. */
export async function timeBesideMinimal(
  url: string,
  minimal: MinimalServer,
  work: MinimalWork,
  requests: { warmup: LoadRequest[]; timed: LoadRequest[]; connections: number },
): Promise<{ app: LoadResult; bare: LoadResult }> {
  const { warmup, timed, connections } = requests;
  const toMinimal = (sent: LoadRequest[]) => sent.map((request) => minimal.route(request, work));
  await fire({ url, connections, requests: warmup });
  await fire({ url: minimal.url, connections, requests: toMinimal(warmup) });
  const app = await fire({ url, connections, requests: timed });
  const bare = await fire({ url: minimal.url, connections, requests: toMinimal(timed) });
  return { app, bare };
}
