import type { Bench } from './bench-row';
import { BenchClient, inParallel, jsonRequest, type BenchAgent } from './support/bench-client';
import { startBenchServer, type BenchServer } from './support/bench-server';
import { fire, type LoadRequest } from './support/load';
import { startMinimalServer, type MinimalServer } from './support/minimal-server';
import { timeBesideMinimal, versusMinimal, WARMUP_REQUESTS } from './support/versus-minimal';

const CONNECTIONS = 32;
/** Signed authorizations: each needs its own challenge, so the timed run is a fixed number of them. */
const SIGNED_TIMED = Number(process.env.BENCH_SIGNED_TASKS ?? 6_000);
/** Remembered authorizations cycle over this many browsers, so concurrent requests rarely share a stream. */
const BROWSERS = 128;
const WARMUP_SECONDS = 2;
const TIMED_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const TASK = 'remote-control:device-42';

async function withServers<T>(run: (server: BenchServer, client: BenchClient, admin: BenchAgent, minimal: MinimalServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer();
  let minimal: MinimalServer | undefined;
  try {
    const client = new BenchClient(server);
    const admin = await client.orgWithFirstKey('Bench sensitive tasks');
    minimal = await startMinimalServer(
      { jwtSecret: server.secrets.jwtSecret!, challengeSecret: server.secrets.challengeSecret },
      new Map([[`${admin.orgId}/${admin.agentId}`, admin.key!.publicKey]]),
    );
    return await run(server, client, admin, minimal);
  } finally {
    await minimal?.close();
    await server.close();
  }
}

/** R11 with a fresh signature each time: one agent, a browser per task, every challenge issued and signed beforehand. */
export const signedSensitiveTasksBench: Bench = () =>
  withServers(async (server, client, admin, minimal) => {
    const authorizations = await client.signedTasks(admin, WARMUP_REQUESTS + SIGNED_TIMED, TASK);
    const [warmup, timed] = [authorizations.slice(0, WARMUP_REQUESTS), authorizations.slice(WARMUP_REQUESTS)];
    const { app: signed, bare } = await timeBesideMinimal(server.url, minimal, 'signed', { warmup, timed, connections: CONNECTIONS });
    return versusMinimal(`signed sensitive-task authorizations (${CONNECTIONS} connections)`, signed, bare);
  });

/** R11 within a DAILY window: no signature, one event appended per authorization. */
export const rememberedSensitiveTasksBench: Bench = () =>
  withServers(async (server, client, admin, minimal) => {
    const browsers = Array.from({ length: BROWSERS }, (_, i) => `browser-${i}`);
    await inParallel(browsers, 16, async (browserId) => {
      const proof = await client.signedChallenge(admin, admin.key!, { purpose: 'PROMPT_FREQUENCY', browserId, frequency: 'DAILY' });
      const path = `/v1/orgs/${admin.orgId}/agents/${admin.agentId}/browsers/${browserId}/prompt-frequency`;
      await client.call(jsonRequest(admin, 'PUT', path, { frequency: 'DAILY', ...proof }), 200);
    });
    const tasks = browsers.map((browserId) => jsonRequest(admin, 'POST', `/v1/orgs/${admin.orgId}/sensitive-tasks`, { browserId, task: TASK }));
    const first = await client.call<{ method: string }>(tasks[0], 200);
    if (first.method !== 'REMEMBERED') throw new Error(`expected a REMEMBERED authorization, got ${JSON.stringify(first)}`);
    const bareTasks = tasks.map((request) => minimal.route(request, 'remembered'));

    const load = (url: string, requests: LoadRequest[], seconds: number) => fire({ url, connections: CONNECTIONS, requests, seconds });
    await load(server.url, tasks, WARMUP_SECONDS);
    await load(minimal.url, bareTasks, WARMUP_SECONDS);
    const remembered = await load(server.url, tasks, TIMED_SECONDS);
    const bare = await load(minimal.url, bareTasks, TIMED_SECONDS);
    return versusMinimal(`remembered (unsigned) sensitive-task authorizations (${CONNECTIONS} connections, ${BROWSERS} browsers)`, remembered, bare);
  });
