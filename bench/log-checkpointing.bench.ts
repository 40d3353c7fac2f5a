import { readEnvironment } from '../src/config/environment';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import { CHECKPOINT_SIGNED, type CheckpointSignedData } from '../src/transparency/log-checkpointer';
import { startTestServer, type TestServer } from '../test/support/test-server';
import type { Bench } from './bench-row';
import { orgsOf, rateOf } from './http-key-requests.bench';
import { BenchClient, inParallel, jsonRequest } from './support/bench-client';
import { fire, type LoadRequest, type LoadResult } from './support/load';

const CONNECTIONS = 32;
/** Key requests timed per setting: BENCH_CHECKPOINT_REQUESTS, in orgs of 10 agents. */
const REQUESTS = Number(process.env.BENCH_CHECKPOINT_REQUESTS ?? 2000);
const SLICES = 4;
const REQUIRED_RATIO = 0.9;
/** Seconds of sustained commands while the lag is measured: BENCH_CHECKPOINT_LAG_SECONDS. */
const LAG_SECONDS = Number(process.env.BENCH_CHECKPOINT_LAG_SECONDS ?? 20);
const LAG_ORGS = 16;
const LAG_CONCURRENCY = 8;

/** The checkpoint settings a deployment runs with when it sets none (test servers push them a day out). */
const DEFAULTS = readEnvironment({});
const CHECKPOINTS_AT_DEFAULT = { LOG_CHECKPOINT_DELAY_MS: String(DEFAULTS.LOG_CHECKPOINT_DELAY_MS), LOG_CHECKPOINT_IDLE_MS: String(DEFAULTS.LOG_CHECKPOINT_IDLE_MS) };
/** The roles of one `npm start` process but the notifier and email worker: the API and the projector role, which signs checkpoints. */
const ROLES = 'api,projector';

const percentile = (sorted: number[], q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Key requests/s with checkpointing on (default interval) beside off (LOG_CHECKPOINTS=off): two
 * servers of the same build and roles (API and projector, in this process), the same prepared
 * load of key requests in orgs of 10 agents, in SLICES parts alternating on, off, off, on... so
 * a drift of the shared machine weighs on both. Each figure is the median of its parts, timed
 * from the first request to the last answer.
 */
export const checkpointingOverheadBench: Bench = async () => {
  const servers = { on: await startTestServer({ ROLES, ...CHECKPOINTS_AT_DEFAULT }), off: await startTestServer({ ROLES, LOG_CHECKPOINTS: 'off' }) };
  try {
    const prepared: Record<keyof typeof servers, LoadRequest[]> = { on: [], off: [] };
    for (const setting of ['on', 'off'] as const) {
      const client = new BenchClient(servers[setting]);
      await fire({ url: servers[setting].url, connections: CONNECTIONS, requests: await orgsOf(client, 10, 500, 'Warm-up') });
      prepared[setting] = await orgsOf(client, 10, REQUESTS, 'Timed');
    }
    // The preparation's own checkpoints and projections are done before the timing starts.
    await pause(2 * DEFAULTS.LOG_CHECKPOINT_DELAY_MS);
    const runs: Record<keyof typeof servers, LoadResult[]> = { on: [], off: [] };
    const slice = REQUESTS / SLICES;
    for (let i = 0; i < 2 * SLICES; i++) {
      const setting = ((i + 1) >> 1) % 2 === 0 ? 'on' : 'off';
      const done = runs[setting].length;
      runs[setting].push(await fire({ url: servers[setting].url, connections: CONNECTIONS, requests: prepared[setting].slice(done * slice, (done + 1) * slice) }));
    }
    const [on, off] = [rateOf(runs.on), rateOf(runs.off)];
    const verdict = on >= REQUIRED_RATIO * off ? 'PASS' : 'FAIL';
    // CPU of this process (both servers, the load runs in a child) per request: what a loaded machine blurs least.
    const cpu = (results: LoadResult[]) => results.reduce((sum, run) => sum + run.cpuMicrosPerRequest * run.ok, 0) / results.reduce((sum, run) => sum + run.ok, 0);
    return [
      {
        name: `key-request commands, API + projector roles, checkpoints every ${DEFAULTS.LOG_CHECKPOINT_DELAY_MS} ms after growth (${REQUESTS} requests, orgs of 10, ${CONNECTIONS} connections): ${verdict}, needs ≥ ${REQUIRED_RATIO} × off`,
        value: Math.round(on),
        unit: 'req/s',
        ceilingName: 'the same with LOG_CHECKPOINTS=off',
        ceilingValue: Math.round(off),
      },
      {
        name: `the same: server CPU per key request, checkpoints on`,
        value: Math.round(cpu(runs.on)),
        unit: 'µs CPU/req',
        ceilingName: 'the same with LOG_CHECKPOINTS=off',
        ceilingValue: Math.round(cpu(runs.off)),
      },
    ];
  } finally {
    await servers.on.close();
    await servers.off.close();
  }
};

/**
 * For each event of an org's tree, the time from its append until the first checkpoint that
 * covers it (size above its index) is in the log, both as a subscription of this process sees
 * them: its delivery delay falls out of the difference.
 */
class CheckpointCoverage {
  readonly lags: number[] = [];
  private readonly orgs = new Map<string, { seen: number[]; covered: number }>();

  constructor(private readonly measuring: () => boolean) {}

  see(event: RecordedEvent): void {
    const now = performance.now();
    const orgId = (event.metadata as { orgId: string }).orgId;
    let org = this.orgs.get(orgId);
    if (!org) this.orgs.set(orgId, (org = { seen: [], covered: 0 }));
    if (event.type !== CHECKPOINT_SIGNED) {
      // Only events appended while the load runs count; NaN marks the others.
      org.seen.push(this.measuring() ? now : Number.NaN);
      return;
    }
    const { size } = event.data as unknown as CheckpointSignedData;
    for (; org.covered < size; org.covered++) if (!Number.isNaN(org.seen[org.covered])) this.lags.push(now - org.seen[org.covered]);
  }
}

/**
 * Checkpoint lag under sustained command load: LAG_CONCURRENCY agent additions at a time spread
 * over LAG_ORGS orgs for LAG_SECONDS, checkpoints at the default interval; p50 and p99 of the
 * time from each event's append to its first covering checkpoint, beside the configured delay
 * (the most the checkpointer promises).
 */
export const checkpointLagBench: Bench = async () => {
  const server: TestServer = await startTestServer({ ROLES, ...CHECKPOINTS_AT_DEFAULT });
  let measuring = false;
  const coverage = new CheckpointCoverage(() => measuring);
  const subscription = server.eventStore.subscribeToAll({ handler: (event) => coverage.see(event) });
  try {
    const client = new BenchClient(server);
    const admins = await Promise.all(Array.from({ length: LAG_ORGS }, (_, i) => client.orgWithFirstKey(`lag-${i}`)));
    measuring = true;
    const until = performance.now() + LAG_SECONDS * 1000;
    let commands = 0;
    await inParallel(Array.from({ length: LAG_CONCURRENCY }), LAG_CONCURRENCY, async (_, worker) => {
      for (let i = worker; performance.now() < until; i += LAG_CONCURRENCY) {
        const admin = admins[i % LAG_ORGS];
        const agentId = `agent-${i}`;
        await client.call(jsonRequest(admin, 'POST', `/v1/orgs/${admin.orgId}/agents`, { agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' }), 201);
        commands += 1;
      }
    });
    measuring = false;
    // Every event of the load is covered within the delay plus a tick; wait for the last ones.
    await pause(2 * DEFAULTS.LOG_CHECKPOINT_DELAY_MS);
    const lags = [...coverage.lags].sort((a, b) => a - b);
    if (lags.length < commands) throw new Error(`${commands - lags.length} of ${commands} events were never covered by a checkpoint`);
    const delay = DEFAULTS.LOG_CHECKPOINT_DELAY_MS;
    const label = `checkpoint lag, append to first covering checkpoint, ${commands} commands over ${LAG_SECONDS} s (${Math.round(commands / LAG_SECONDS)}/s, ${LAG_ORGS} orgs, ${LAG_CONCURRENCY} at once)`;
    return [
      { name: `${label}: p50`, value: percentile(lags, 0.5), unit: 'ms', ceilingName: 'LOG_CHECKPOINT_DELAY_MS (default)', ceilingValue: delay },
      { name: `${label}: p99${percentile(lags, 0.99) <= delay ? '' : ', FAIL (needs ≤ the delay)'}`, value: percentile(lags, 0.99), unit: 'ms', ceilingName: 'LOG_CHECKPOINT_DELAY_MS (default)', ceilingValue: delay },
    ];
  } finally {
    await subscription.stop();
    await server.close();
  }
};
