import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cosignerFromSeed, cosignerKeyText } from '../../src/transparency/cosignature';
import { call, Journey } from '../support/api-client';
import { freePort } from '../notifications/support/redis-process';
import { waitFor } from '../notifications/support/wait-for';
import { operatedServer } from './operated-server';

jest.setTimeout(120_000);

/**
 * A shared witness is another party's server: one that answers add-checkpoint with a body that
 * does not end (broken, or hostile) must cost the API a bounded read, within WITNESS_TIMEOUT_MS,
 * and the checkpoint is served without its cosignature. The server read it whole, past the
 * timeout: its memory grew by about 100 MB a second and the checkpoint was never served.
 */
describe('a witness whose answer never ends (built server)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-endless-witness-'));
  const operated = operatedServer(dataDir);
  let witness: Server;
  let closed = 0;
  afterAll(async () => {
    operated.dispose();
    witness?.closeAllConnections();
    await new Promise((resolve) => witness?.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the checkpoint within WITNESS_TIMEOUT_MS and a little, without a cosignature, having let go of the answer', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    witness = createServer((req, res) => {
      req.resume();
      res.once('close', () => (closed += 1));
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => witness.listen(port, '127.0.0.1', resolve));
    const key = cosignerKeyText(cosignerFromSeed('witness.test/endless', Buffer.alloc(32, 3)));
    await operated.start({ WITNESSES: `http://127.0.0.1:${port} ${key}`, WITNESS_TIMEOUT_MS: '1000' });
    const admin = await new Journey(operated.server).createOrg('alice');
    await waitFor('a checkpoint of the org', async () => (await call(operated.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/checkpoint`, admin.token)).status === 200, 20_000).catch(() => undefined);

    const started = Date.now();
    // The 10 s bound is let go once the answer came: a timer left would hold the test's process after it.
    const bound = new AbortController();
    const answer = await Promise.race([
      call<string>(operated.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/checkpoint`, admin.token),
      sleep(10_000, undefined, { signal: bound.signal }).catch(() => undefined),
    ]).finally(() => bound.abort());
    expect({ status: answer?.status, within: Date.now() - started < 5000, cosigned: answer?.body.includes('witness.test/endless') }).toEqual({ status: 200, within: true, cosigned: false });
    // It stopped reading: the witness's answer was cut off.
    await waitFor('the endless answer to be cut off', () => closed > 0, 5000);
  });
});
