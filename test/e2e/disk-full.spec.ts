import { rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { checkedFetch } from '../support/answer-contract';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { fillVolume, firstRefused, mountSmallVolume, unmountSmallVolume } from '../support/small-volume';

const volume = mountSmallVolume('3m');
const describeOnTmpfs = volume ? describe : describe.skip;
if (!volume) process.stdout.write('disk-full: skipped, mount -t tmpfs is not permitted here\n');

describeOnTmpfs('a full disk under the embedded stores', () => {
  const dataDir = join(volume ?? '', 'data');
  const suite = serverForSuite({ DATA_DIR: dataDir });
  const createOrg = (i: number) =>
    call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, {
      name: `Org ${i}`,
      superAdmin: { agentId: `alice-${i}`, email: `alice${i}@example.com`, displayName: 'Alice' },
    });

  afterAll(async () => {
    unmountSmallVolume(volume!);
  });

  it('answers 503 problem+json naming the event store, fails readiness, truncates the WAL and resumes by itself', async () => {
    expect((await createOrg(0)).status).toBe(201);
    const ballast = fillVolume(volume!);

    const refused = await firstRefused(createOrg, (reply) => reply.status !== 201, 200);
    expect(refused).toBeDefined();
    expect(refused!.status).toBe(503);
    expect(refused!.contentType).toContain('application/problem+json');
    expect(refused!.body.code).toBe('STORE_UNAVAILABLE');
    expect(refused!.body.detail).toMatch(/the event store \(events\.sqlite\) is unavailable: database or disk is full/);
    const headers = await checkedFetch(`${suite.server.url}/v1/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${suite.server.bootstrapToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Late', superAdmin: { agentId: 'late', email: 'late@example.com', displayName: 'Late' } }),
    });
    expect(headers.status).toBe(503);
    expect(headers.headers.get('retry-after')).toBe('2');

    const ready = await call(suite.server, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.code).toBe('NOT_READY');
    expect(ready.body.checks.eventStore.message).toMatch(/event store \(events\.sqlite\).*full/);
    expect((await call(suite.server, 'GET', '/health/live')).status).toBe(200);
    expect(statSync(join(dataDir, 'events.sqlite-wal')).size).toBeLessThanOrEqual(4 * 1024 * 1024);

    // 64 KiB given back: room for a one-row write and some commands, not for every one. Readiness stays
    // 503 (its one-row probe cleared the fault there, and said 200 while a command failed in two).
    truncateSync(ballast, statSync(ballast).size - 16 * 4096);
    for (let round = 0; round < 3; round++) {
      expect((await call(suite.server, 'GET', '/health/ready')).status).toBe(503);
      await createOrg(500 + round);
    }

    rmSync(ballast);
    // Readiness probes with a write of its own: it comes back without any client command.
    const deadline = Date.now() + 15_000;
    let back = await call(suite.server, 'GET', '/health/ready');
    while (back.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      back = await call(suite.server, 'GET', '/health/ready');
    }
    expect(back.status).toBe(200);
    const after = await createOrg(1000);
    expect(after.status).toBe(201);
  });
});
