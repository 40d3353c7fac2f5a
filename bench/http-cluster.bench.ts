import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintAgentToken } from '../src/auth/token-minter';
import type { Bench } from './bench-row';
import { BenchClient } from './support/bench-client';
import { fire, type LoadResult } from './support/load';

const CONNECTIONS = 32;
const WARMUP = 500;
const TIMED = Number(process.env.BENCH_SIGNED_TASKS ?? 6_000);
const TASK = 'remote-control:device-42';
/** Issue 14: two cores serve at least this many times one. */
const REQUIRED_SPEEDUP = 1.6;
const JWT_SECRET = 'bench-cluster-jwt-secret-of-32-bytes-at-least';
const BOOTSTRAP_TOKEN = 'bench-cluster-bootstrap-token-of-32-bytes-at-least';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });

/** Signed sensitive tasks/s of the built server (`node dist/src/main.js`, ROLES=api) run as WORKERS processes. */
async function signedTasksOn(workers: number): Promise<LoadResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-cluster-'));
  const port = await freePort();
  const env = { ...process.env, WORKERS: String(workers), ROLES: 'api', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET, BOOTSTRAP_TOKEN };
  const server = spawn(process.execPath, [join(__dirname, '..', 'src', 'main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  try {
    let listening = 0;
    await new Promise<void>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        listening += (chunk.toString().match(/is listening on/g) ?? []).length;
        if (listening === workers) resolve();
      });
      server.once('exit', (code) => reject(new Error(`the server exited with code ${code} before listening`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const client = new BenchClient({ url, bootstrapToken: BOOTSTRAP_TOKEN, token: (orgId, agentId) => mintAgentToken(JWT_SECRET, { agentId, orgId }, 3600) });
    const admin = await client.orgWithFirstKey(`Cluster of ${workers}`);
    const authorizations = await client.signedTasks(admin, WARMUP + TIMED, TASK);
    await fire({ url, connections: CONNECTIONS, requests: authorizations.slice(0, WARMUP) });
    return await fire({ url, connections: CONNECTIONS, requests: authorizations.slice(WARMUP) });
  } finally {
    server.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Both cores serve (WORKERS=2, src/runtime/cluster.ts) against one: signed sensitive tasks of the
 * built server as an operator starts it, with its request log at info. The load generator runs
 * on the same two cores.
 */
export const clusterBench: Bench = async () => {
  const one = await signedTasksOn(1);
  const two = await signedTasksOn(2);
  const verdict = two.perSecond >= REQUIRED_SPEEDUP * one.perSecond ? 'PASS' : 'FAIL';
  return [
    {
      name: `signed sensitive-task authorizations, WORKERS=2 (${CONNECTIONS} connections, request log on): ${verdict}, needs ≥ ${REQUIRED_SPEEDUP} × WORKERS=1`,
      value: Math.round(two.perSecond),
      unit: 'req/s',
      ceilingName: 'the same, WORKERS=1',
      ceilingValue: Math.round(one.perSecond),
    },
  ];
};
