import { READ_MODEL_NAMES } from '../projections/projection';
import { startTestServer } from '../test/support/test-server';
import type { Bench, BenchRow } from './bench-row';
import { BenchClient, inParallel, jsonRequest } from './support/bench-client';

const COMMANDS = Number(process.env.BENCH_LAG_COMMANDS ?? 1500);
const CONCURRENCY = 8;
const POLL_MS = 1;

const percentile = (sorted: number[], q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;

/**
 * Projection lag while commands stream in: every role in one process, as `npm start` runs it
 * (the projector shares the event loop with the API). For each command, the time from its
 * answer until every read model has applied its position, the wait X-Min-Position makes. The
 * ceiling is the command's own round trip in the same run.
 */
export const projectionLagBench: Bench = async () => {
  const server = await startTestServer();
  try {
    const client = new BenchClient(server);
    // One org per concurrent command: directory changes of one org serialize on its stream.
    const admins = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client.orgWithFirstKey(`lag-${i}`)));
    const lags: number[] = [];
    const roundTrips: number[] = [];
    const started = Date.now();
    await inParallel(
      Array.from({ length: COMMANDS }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const admin = admins[i % CONCURRENCY];
        const sent = performance.now();
        const { position } = await client.call<{ position: string }>(
          jsonRequest(admin, 'POST', `/v1/orgs/${admin.orgId}/agents`, { agentId: `agent-${i}`, email: `agent-${i}@example.com`, displayName: `Agent ${i}`, role: 'MEMBER' }),
          201,
        );
        const answered = performance.now();
        roundTrips.push(answered - sent);
        const target = BigInt(position);
        for (;;) {
          const checkpoints = await Promise.all(READ_MODEL_NAMES.map((model) => server.readModels.checkpoint(model)));
          if (checkpoints.every((checkpoint) => checkpoint !== undefined && checkpoint >= target)) break;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        lags.push(performance.now() - answered);
      },
    );
    const seconds = (Date.now() - started) / 1000;
    lags.sort((a, b) => a - b);
    roundTrips.sort((a, b) => a - b);
    const label = `projection lag, all 3 read models, while ${COMMANDS} commands stream in (${Math.round(COMMANDS / seconds)}/s, ${CONCURRENCY} at once, one process)`;
    const rows: BenchRow[] = [
      { name: `${label}: p50`, value: percentile(lags, 0.5), unit: 'ms', ceilingName: 'command round trip p50', ceilingValue: percentile(roundTrips, 0.5) },
      { name: `${label}: p99`, value: percentile(lags, 0.99), unit: 'ms', ceilingName: 'command round trip p99', ceilingValue: percentile(roundTrips, 0.99) },
    ];
    return rows;
  } finally {
    await server.close();
  }
};
