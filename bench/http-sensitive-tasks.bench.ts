import type { Bench } from './bench-row';
import { BenchClient, inParallel, jsonRequest, type BenchAgent } from './support/bench-client';
import { startBenchServer, type BenchServer } from './support/bench-server';
import { nodeVerifyRate } from './support/ed25519-verify-rate';
import { fire, type LoadRequest } from './support/load';

const CONNECTIONS = 32;
/** Signed authorizations: each needs its own challenge, so the timed run is a fixed number of them. */
const SIGNED_WARMUP = 500;
const SIGNED_TIMED = 6_000;
/** Remembered authorizations cycle over this many browsers, so concurrent requests rarely share a stream. */
const BROWSERS = 128;
const WARMUP_SECONDS = 2;
const TIMED_SECONDS = 8;
const TASK = 'remote-control:device-42';

async function withServer<T>(run: (server: BenchServer, client: BenchClient, admin: BenchAgent) => Promise<T>): Promise<T> {
  const server = await startBenchServer();
  try {
    const client = new BenchClient(server);
    return await run(server, client, await client.orgWithFirstKey('Bench sensitive tasks'));
  } finally {
    await server.close();
  }
}

/** R11 with a fresh signature each time: one agent, a browser per task, every challenge issued and signed beforehand. */
export const signedSensitiveTasksBench: Bench = () =>
  withServer(async (server, client, admin) => {
    const authorizations = await inParallel(Array.from({ length: SIGNED_WARMUP + SIGNED_TIMED }), 16, async (_, i): Promise<LoadRequest> => {
      const browserId = `browser-${i}`;
      const proof = await client.signedChallenge(admin, admin.key!, { purpose: 'SENSITIVE_TASK', browserId, task: TASK });
      return jsonRequest(admin, 'POST', `/v1/orgs/${admin.orgId}/sensitive-tasks`, { browserId, task: TASK, ...proof });
    });
    await fire({ url: server.url, connections: CONNECTIONS, requests: authorizations.slice(0, SIGNED_WARMUP) });
    const signed = await fire({ url: server.url, connections: CONNECTIONS, requests: authorizations.slice(SIGNED_WARMUP) });
    return [
      {
        name: `signed sensitive-task authorizations (${CONNECTIONS} connections)`,
        value: Math.round(signed.perSecond),
        unit: 'req/s',
        ceilingName: 'bare node:crypto Ed25519 verify, one thread (the server is one event loop)',
        ceilingValue: Math.round(nodeVerifyRate(3)),
      },
    ];
  });

/** R11 within a DAILY window: no signature, one event appended per authorization; beside a route that does nothing. */
export const rememberedSensitiveTasksBench: Bench = () =>
  withServer(async (server, client, admin) => {
    const browsers = Array.from({ length: BROWSERS }, (_, i) => `browser-${i}`);
    await inParallel(browsers, 16, async (browserId) => {
      const proof = await client.signedChallenge(admin, admin.key!, { purpose: 'PROMPT_FREQUENCY', browserId, frequency: 'DAILY' });
      const path = `/v1/orgs/${admin.orgId}/agents/${admin.agentId}/browsers/${browserId}/prompt-frequency`;
      await client.call(jsonRequest(admin, 'PUT', path, { frequency: 'DAILY', ...proof }), 200);
    });
    const tasks = browsers.map((browserId) => jsonRequest(admin, 'POST', `/v1/orgs/${admin.orgId}/sensitive-tasks`, { browserId, task: TASK }));
    const first = await client.call<{ method: string }>(tasks[0], 200);
    if (first.method !== 'REMEMBERED') throw new Error(`expected a REMEMBERED authorization, got ${JSON.stringify(first)}`);
    const hello = [jsonRequest(admin, 'GET', '/bench/hello')];

    const load = (requests: LoadRequest[], seconds: number) => fire({ url: server.url, connections: CONNECTIONS, requests, seconds });
    await load(tasks, WARMUP_SECONDS);
    await load(hello, WARMUP_SECONDS);
    const remembered = await load(tasks, TIMED_SECONDS);
    const ceiling = await load(hello, TIMED_SECONDS);
    return [
      {
        name: `remembered (unsigned) sensitive-task authorizations (${CONNECTIONS} connections, ${BROWSERS} browsers)`,
        value: Math.round(remembered.perSecond),
        unit: 'req/s',
        ceilingName: 'hello-world route of the same Nest/Fastify app, same JWT guard',
        ceilingValue: Math.round(ceiling.perSecond),
      },
    ];
  });
