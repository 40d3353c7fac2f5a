import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { memoryIo } from './support/memory-io';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A listener that records every request and answers `answer(url)`. */
async function listener(answer: (url: string) => { status: number; headers: Record<string, string>; body: string }): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      const { status, headers, body: answerBody } = answer(request.url!);
      response.writeHead(status, headers);
      response.end(answerBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/**
 * A server the profile points at (taken over, or a proxy in front of it) answers with a redirect
 * to an origin of its choosing. API v1 never redirects: the CLI must not send the command there,
 * neither the token nor a body holding a signature or a verification code, nor take its answer.
 */
describe('redirects from the server', () => {
  let home: string;
  let api: Awaited<ReturnType<typeof listener>>;
  let elsewhere: Awaited<ReturnType<typeof listener>>;
  let status: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-redirects-'));
    // Elsewhere answers as the API would, so a CLI that follows gets a plausible success.
    elsewhere = await listener(() => ({ status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agentId: 'mallory', position: '7', agents: [], totals: {} }) }));
    api = await listener((url) => ({ status, headers: { location: `${elsewhere.url.replace('127.0.0.1', 'localhost')}${url}` }, body: '' }));
    new ProfileStore(home).save('default', { apiUrl: api.url, token: 'token-1', orgId: 'org-1', agentId: 'alice' });
  });
  afterAll(async () => {
    await Promise.all([api, elsewhere].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.seen.length = 0;
    elsewhere.seen.length = 0;
  });

  const run = async (...argv: string[]) => {
    const io = memoryIo({ ZTKEYS_HOME: home });
    const code = await runCli(argv, io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };

  it.each([307, 308])('does not follow a %i: the body goes nowhere else, and the command fails with exit 4 naming the redirect', async (redirect) => {
    status = redirect;
    const { code, stdout, stderr } = await run('agents', 'add', 'mallory', '--email', 'mallory@example.com', '--name', 'Mallory');
    expect(api.seen).toMatchObject([{ method: 'POST', url: '/v1/orgs/org-1/agents', headers: { authorization: 'Bearer token-1' } }]);
    expect(elsewhere.seen).toEqual([]);
    expect(code).toBe(EXIT.SERVER);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `ztkeys: ${api.url} answered with a redirect (HTTP ${redirect}) to ${elsewhere.url.replace('127.0.0.1', 'localhost')}/v1/orgs/org-1/agents. ztkeys follows no redirect, so that neither your token nor what you sign goes to another server; if the server moved, log in again with --api <its new URL>.\n`,
    );
  });

  it('does not follow a 302 on a read either', async () => {
    status = 302;
    const { code, stderr } = await run('status');
    expect(elsewhere.seen).toEqual([]);
    expect(code).toBe(EXIT.SERVER);
    expect(stderr).toMatch(/answered with a redirect \(HTTP 302\)/);
  });
});
