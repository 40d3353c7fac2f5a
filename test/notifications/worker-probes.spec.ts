import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/redis-process';
import { serverEmailQueue } from './support/server-email-queue';
import { WorkerProcess } from './support/worker-process';

/**
 * `npm run worker` with EMAIL_WORKER_METRICS_PORT serves /metrics as the API does: with
 * METRICS_TOKEN set (docker-compose gives every service the same environment), only to that token.
 */
describe("the worker's probes port", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-worker-probes-'));
  const token = 'a-scraper-token-of-32-bytes-or-more';
  let port: number;
  let worker: WorkerProcess;
  beforeAll(async () => {
    port = await freePort();
    await serverEmailQueue(dir);
    worker = await WorkerProcess.start({ DATA_DIR: dir, EMAIL_WORKER_METRICS_PORT: String(port), METRICS_TOKEN: token });
  });
  afterAll(async () => {
    await worker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = (path: string, headers: Record<string, string> = {}) => worker.probe(path, headers);

  it('answers /metrics only to Bearer METRICS_TOKEN, with 401 problem details to anyone else', async () => {
    const strangers: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-token' }, { authorization: `Basic ${token}` }];
    for (const headers of strangers) {
      const refused = await get('/metrics', headers);
      expect([refused.status, refused.type, JSON.parse(refused.body).code]).toEqual([401, 'application/problem+json', 'UNAUTHENTICATED']);
      expect(refused.body).not.toContain('ztkeys_');
    }
    const metrics = await get('/metrics', { authorization: `bearer ${token}` });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/ztkeys_email_queue_jobs\{state="waiting"\} 0/);
  });

  it('still answers liveness and readiness without a token, for the orchestrator', async () => {
    expect((await get('/health/live')).status).toBe(200);
    expect((await get('/health/ready')).status).toBe(200);
  });
});
