import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { checkpointOrigin, signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

/**
 * A server that sends the export's head and some lines, then nothing while keeping the connection
 * open: the built CLI (run npm run build first), as its own process, gives up once no byte came for
 * ZTKEYS_EXPORT_IDLE_SECONDS (1 s here, 60 by default), where it waited Node's body timeout (5
 * minutes). It exits 4 as for an unreachable server, and a file given to --append is left as it was.
 */
describe('an audit export that stalls', () => {
  const signer = signerFromSeed('stall.test/audit-log', Buffer.alloc(32, 5));
  const orgId = 'org-1';
  const entry = (position: number) => {
    const eventId = `0193c3a0-0000-7000-8000-${String(position).padStart(12, '0')}`;
    return { eventId, position, type: 'AgentAdded', schemaVersion: 1, stream: `org-${orgId}`, revision: position, actor: 'operator', subject: null, occurredAt: '2026-12-01T00:00:00.000Z', correlationId: eventId, causationId: eventId, data: {} };
  };
  const line = (position: number) => `${JSON.stringify(entry(position))}\n`;
  const checkpoint = signCheckpoint({ origin: checkpointOrigin(signer.name, orgId), size: 2, rootHash: Buffer.alloc(32, 2), extensions: [timestampLine(new Date())] }, signer);
  const page = (position: number) => JSON.stringify({ items: [entry(position)] });
  let api: StandInApi;

  beforeAll(async () => {
    api = await standInApi('stalled-export', (request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/v1/log-key') return response.writeHead(200, { 'content-type': 'text/plain' }).end(verifierKeyText(signer));
      if (url.pathname.endsWith('/checkpoint')) return response.writeHead(200, { 'content-type': 'text/plain' }).end(checkpoint);
      if (url.pathname.endsWith('/audit-log')) return response.writeHead(200, { 'content-type': 'application/json' }).end(page(url.searchParams.has('after') ? 2 : 1));
      // The export: its head and two lines at once, then silence on an open connection.
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write(line(3) + line(4));
    });
  });
  afterAll(() => api.close());

  const run = (args: string[]) => {
    const started = Date.now();
    const env = { PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_EXPORT_IDLE_SECONDS: '1' };
    return runProcess(CLI_BUILT, args, { env, deadlineMs: 20_000 }).then((result) => ({ ...result, seconds: (Date.now() - started) / 1000 }));
  };

  it('to stdout: exit 4 within seconds, saying the server sent nothing for the idle bound and the output is incomplete', async () => {
    const result = await run(['audit', 'export']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: EXIT.SERVER,
      stderr: expect.stringMatching(/The audit export broke off: the server at http:\/\/127\.0\.0\.1:\d+ sent nothing for 1 s \(ZTKEYS_EXPORT_IDLE_SECONDS\)\. The output is incomplete\./),
    });
    expect(result.stdout).toBe(line(3) + line(4));
    expect(result.seconds).toBeLessThan(10);
  }, 30_000);

  it('with --append: exit 4 within seconds, the file left byte for byte as it was, no download left beside it', async () => {
    const file = join(api.home, 'audit.ndjson');
    writeFileSync(file, line(1) + line(2));
    const result = await run(['audit', 'export', '--append', file]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: EXIT.SERVER,
      stderr: expect.stringMatching(/The audit export broke off: the server at http:\/\/127\.0\.0\.1:\d+ sent nothing for 1 s \(ZTKEYS_EXPORT_IDLE_SECONDS\)\. .*audit\.ndjson was left as it was\./),
    });
    expect(readFileSync(file, 'utf8')).toBe(line(1) + line(2));
    expect(readdirSync(api.home).filter((name) => name.endsWith('.download'))).toEqual([]);
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 30_000);

  it('refuses an idle bound that is no positive number of seconds (exit 2), before asking the server anything', async () => {
    const env = { PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_EXPORT_IDLE_SECONDS: '0' };
    const result = await runProcess(CLI_BUILT, ['audit', 'export'], { env });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: EXIT.USAGE, stderr: expect.stringMatching(/ZTKEYS_EXPORT_IDLE_SECONDS/) });
  });
});
