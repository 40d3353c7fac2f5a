import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { parseCheckpoint } from '../../src/transparency/checkpoint';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { parseNote } from '../../src/transparency/signed-note';
import { waitFor } from '../notifications/support/wait-for';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { runInHome } from './support/run-in-home';

jest.setTimeout(120_000);

/** What the man in the middle does to the export's body (every other answer passes as the server gave it). */
type Tampering = (lines: string[]) => string[];

const isEvent = (line: string) => line !== '' && (JSON.parse(line) as { type: string }).type !== CHECKPOINT_SIGNED;

/**
 * `ztkeys audit export` checks that the export it writes extends the checkpoint its witness just
 * accepted: a server (or a man in the middle on plain HTTP) that serves the witnessed checkpoint
 * whole and an export of another history is refused with exit 7, with --append before the file
 * is written. It exited 0, and only a later `audit verify --trusted-checkpoint` could tell.
 */
describe('ztkeys audit export: the export extends the checkpoint the CLI witnessed', () => {
  let server: TestServer;
  let proxy: Server;
  let journey: Journey;
  let admin: TestAgent;
  let home: string;
  let tampering: Tampering | undefined;
  /** Whether the last export the proxy tampered with came out other than it went in (a tampering that matched nothing tests nothing). */
  let changed = false;

  const ztkeys = (...argv: string[]) => runInHome(home, argv);
  /** Once the checkpoint signs all `events` events of the org: the export then holds no event past it. */
  const signedAll = (events: number) =>
    waitFor(`a checkpoint of ${events} events`, async () => {
      const note = await call<string>(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/checkpoint`, admin.token);
      return note.status === 200 && parseCheckpoint(parseNote(note.body).text).size === events;
    });

  beforeAll(async () => {
    server = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50' });
    const upstream = new URL(server.url);
    proxy = createServer((request, response) => {
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
        const tamper = tampering;
        if (!tamper || !request.url!.includes('/audit-log/export')) {
          response.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(response);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const served = Buffer.concat(chunks).toString('utf8').split('\n').slice(0, -1);
          const lines = tamper(served);
          changed = lines.join('\n') !== served.join('\n');
          const { 'content-length': _length, ...headers } = answer.headers;
          response.writeHead(answer.statusCode!, headers);
          response.end(lines.map((line) => `${line}\n`).join(''));
        });
      });
      request.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    home = mkdtempSync(join(tmpdir(), 'ztkeys-witnessed-export-'));
    journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    const auditor = await journey.addAgent(admin, 'erin', 'AUDITOR');
    new ProfileStore(home).save('default', { apiUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, token: auditor.token, orgId: auditor.orgId, agentId: auditor.agentId });
    await signedAll(4); // the org's creation, alice, bob, erin
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });
  afterEach(() => (tampering = undefined));

  it('writes the export served whole and exits 0', async () => {
    const exported = await ztkeys('audit', 'export');
    expect(exported).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(exported.stdout.split('\n').filter(isEvent)).toHaveLength(4);
  });

  /** bob's AgentAdded with another display name: a record that parses, and is still signed by nothing. */
  const renamed: Tampering = (lines) => lines.map((line) => line.replace('"displayName":"bob"', '"displayName":"Bob (IT)"'));
  const dropped: Tampering = (lines) => lines.filter((line) => !line.includes('"agentId":"bob"'));
  /** The second and third events (alice's and bob's) swapped; checkpoint lines between them stay (they are no leaves). */
  const reordered: Tampering = (lines) => {
    const [, second, third] = lines.flatMap((line, index) => (isEvent(line) ? [index] : []));
    return lines.map((line, index) => (index === second ? lines[third] : index === third ? lines[second] : line));
  };
  const cutShort: Tampering = (lines) => lines.slice(0, 2);

  it.each([
    ['an event edited', renamed, /have another root than the checkpoint's/],
    ['an event dropped', dropped, /it holds 3 events of the 4 the checkpoint signs: events were removed/],
    ['two events swapped', reordered, /have another root than the checkpoint's/],
    ['cut short', cutShort, /it holds 2 events of the 4 the checkpoint signs: events were removed/],
  ])('refuses an export with %s (exit 7), the witnessed checkpoint served whole', async (_case, tamper, reason) => {
    tampering = tamper;
    const exported = await ztkeys('audit', 'export');
    expect(exported.code).toBe(EXIT.FORKED);
    expect(exported.stderr).toMatch(/^ztkeys: REFUSED: the export does not extend the checkpoint of size 4 this CLI witnessed: /);
    expect(exported.stderr).toMatch(reason);
    expect(exported.stderr).toContain('Do not use what was written.');
    expect(changed).toBe(true);
  });

  it('with --append: refuses new lines that do not extend the checkpoint (exit 7), the file left byte for byte as it was; appends those that do', async () => {
    const first = await ztkeys('audit', 'export');
    expect(first.code).toBe(EXIT.OK);
    const path = join(home, 'audit.ndjson');
    writeFileSync(path, first.stdout);
    await journey.addAgent(admin, 'carol');
    await signedAll(5);

    tampering = (lines) => lines.map((line) => line.replace('"displayName":"carol"', '"displayName":"Carol (admin)"'));
    const refused = await ztkeys('audit', 'export', '--append', path);
    expect(refused.code).toBe(EXIT.FORKED);
    expect(refused.stderr).toMatch(/^ztkeys: REFUSED: the export does not extend the checkpoint of size 5 this CLI witnessed: its first 5 events .* have another root/);
    expect(refused.stderr).toContain(`${path} was left as it was.`);
    expect(readFileSync(path, 'utf8')).toBe(first.stdout);
    expect(changed).toBe(true);

    tampering = undefined;
    const appended = await ztkeys('audit', 'export', '--append', path);
    expect(appended.code).toBe(EXIT.OK);
    expect(readFileSync(path, 'utf8').split('\n').filter(isEvent)).toHaveLength(5);
  });
});
