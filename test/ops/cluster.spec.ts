import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintAgentToken } from '../../src/auth/token-minter';
import { ownConnectionCall as call } from './support/own-connection-call';
import { ServerProcess } from './support/server-process';

const JWT_SECRET = 'cluster-test-jwt-secret-of-32-bytes-at-least';
const BOOTSTRAP_TOKEN = 'cluster-test-bootstrap-token-of-32-bytes-at-least';

/** WORKERS=2: two API processes over one DATA_DIR, as `WORKERS=$(nproc) npm start` runs them. */
describe('the server on every core (WORKERS)', () => {
  let server: ServerProcess;
  afterAll(() => server?.dispose());

  it('serves from two processes on one DATA_DIR that stay consistent, and stops on SIGTERM', async () => {
    server = ServerProcess.spawn({ WORKERS: '2', JWT_SECRET, BOOTSTRAP_TOKEN });
    const url = await server.listening(120_000);
    const deadline = Date.now() + 60_000;
    const listening = () => server.logLines.filter((line) => String(line.msg).includes('listening'));
    while (listening().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    // Worker 0 runs every role, the other the API only.
    expect(listening().map((line) => line.roles).sort()).toEqual([['api'], ['api', 'projector', 'notifier', 'worker']]);

    const org = await call(url, 'POST', '/v1/orgs', BOOTSTRAP_TOKEN, { name: 'Cluster', superAdmin: { agentId: 'admin', email: 'admin@example.com', displayName: 'Admin' } });
    expect(org.status).toBe(201);
    const orgId = org.body.orgId as string;
    const admin = await mintAgentToken(JWT_SECRET, { agentId: 'admin', orgId }, 600);

    // Each agent added twice at once, on connections spread over both processes: one append wins, the other is a conflict.
    const ids = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
    const replies = await Promise.all(
      [...ids, ...ids].map((agentId) => call(url, 'POST', `/v1/orgs/${orgId}/agents`, admin, { agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' })),
    );
    for (const agentId of ids) {
      const statuses = replies.filter((_, i) => i % ids.length === ids.indexOf(agentId)).map((reply) => reply.status);
      expect(statuses.sort()).toEqual([201, 409]);
    }
    // Which process served each: its request line. pino writes the lines to stdout asynchronously, after the answer, and a
    // busy worker's come seconds late (none of 40 there when the answers were in, seen under load): each waited for, 10 s at most.
    const agentLines = () => server.logLines.filter((line) => (line.req as { url?: string } | undefined)?.url?.endsWith('/agents'));
    for (let waited = 0; waited < 10_000 && agentLines().length < replies.length; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(agentLines()).toHaveLength(replies.length);
    // The cluster hands each new connection to a worker that is free, in turn: of connections made at once, the second goes to the other.
    expect(new Set(agentLines().map((line) => line.pid)).size).toBe(2);

    // Every process reads the same org from the log, and the read model the projector (worker 0) keeps catches up.
    for (let i = 0; i < 6; i++) expect((await call(url, 'GET', `/v1/orgs/${orgId}`, admin)).body.agents).toBe(21);
    let listed = 0;
    while (listed !== 21 && Date.now() < deadline + 30_000) {
      listed = ((await call(url, 'GET', `/v1/orgs/${orgId}/zero-trust-status?limit=100`, admin)).body.agents as unknown[]).length;
      if (listed !== 21) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed).toBe(21);

    expect(await server.stopWith('SIGTERM', 8000)).toBeLessThan(8000);
    expect(server.groupAlive()).toBe(false);
    expect(server.stderr).toBe('');
  }, 240_000);

  it.each(['1', '2'])('WORKERS=%s on a new DATA_DIR prints the bootstrap token it generated, once (README, Start on one machine)', async (workers) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-first-start-'));
    const first = ServerProcess.spawn({ WORKERS: workers, DATA_DIR: dataDir });
    try {
      await first.listening(120_000);
      const token = readFileSync(join(dataDir, 'bootstrap-token'), 'utf8').trim();
      const deadline = Date.now() + 60_000;
      while (first.logLines.filter((line) => String(line.msg).includes('listening')).length < Number(workers) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(first.stdout.split(token).length - 1).toBe(1);
    } finally {
      await first.stopWith('SIGTERM', 8000);
      first.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
