import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { parseCheckpoint } from '../../src/transparency/checkpoint';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { parseNote } from '../../src/transparency/signed-note';
import { runInHome } from '../cli/support/run-in-home';
import { waitFor } from '../notifications/support/wait-for';
import { call, Journey, type TestAgent } from '../support/api-client';
import { dropMongoDatabase, readModelStores } from '../support/mongo-database';
import { fillVolume, mountSmallVolume, unmountSmallVolume } from '../support/small-volume';
import { startTestServer, type TestServer } from '../support/test-server';

jest.setTimeout(120_000);

const stores = readModelStores('ztkeys_e2e_append', 'audit export --append');
/** Where FILE lives for the disk-full case: a real full volume. */
const volume = mountSmallVolume('1m');
const itOnTmpfs = volume ? it : it.skip;
if (!volume) process.stdout.write('audit export --append on a full disk: skipped, mount -t tmpfs is not permitted here\n');
afterAll(() => volume && unmountSmallVolume(volume));

/**
 * `ztkeys audit export --append FILE`: a compliance team keeps one export file and, each month,
 * adds what the log holds past its last line (`GET .../audit-log/export?after=`), instead of
 * downloading the whole log again. The file stays one whole export: the same bytes as a fresh
 * one, and `audit verify` accepts it. A file that is not an export of this org is refused, untouched.
 */
describe.each(stores)('ztkeys audit export --append (%s)', (_name, env) => {
  let server: TestServer;
  let journey: Journey;
  let admin: TestAgent;
  let home: string;

  const ztkeys = (...argv: string[]) => runInHome(home, argv);
  /** How many of an export's lines are the org's events (not checkpoints). */
  const eventCount = (exported: string) => exported.split('\n').filter((line) => line && (JSON.parse(line) as { type: string }).type !== CHECKPOINT_SIGNED).length;
  const file = (name: string, text: string): string => {
    const path = join(home, name);
    writeFileSync(path, text);
    return path;
  };
  /**
   * Once the org's `events` events are all read and signed by its checkpoint: an export then
   * verifies (exit 0) and stays as it is (a read model behind the log would look signed too).
   */
  const signedAll = (agent: TestAgent, events: number) =>
    waitFor(`a checkpoint of ${events} events`, async () => {
      const exported = String((await call(server, 'GET', `/v1/orgs/${agent.orgId}/audit-log/export`, agent.token)).body);
      const read = eventCount(exported);
      const note = await call<string>(server, 'GET', `/v1/orgs/${agent.orgId}/audit-log/checkpoint`, agent.token);
      return read === events && note.status === 200 && parseCheckpoint(parseNote(note.body).text).size === events && exported;
    });

  beforeAll(async () => {
    server = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50', ...env });
    home = mkdtempSync(join(tmpdir(), 'ztkeys-append-home-'));
    journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    const auditor = await journey.addAgent(admin, 'erin', 'AUDITOR');
    new ProfileStore(home).save('default', { apiUrl: server.url, token: auditor.token, orgId: auditor.orgId, agentId: auditor.agentId });
  });
  afterAll(async () => {
    await server.close();
    rmSync(home, { recursive: true, force: true });
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  it('appends only the newer lines: the file is then byte for byte a fresh full export, and verifies (exit 0)', async () => {
    await signedAll(admin, 4); // the org's creation, alice, bob, erin
    const first = await ztkeys('audit', 'export');
    expect(first.code).toBe(EXIT.OK);
    const path = file('audit.ndjson', first.stdout);
    const before = first.stdout.split('\n').filter(Boolean);

    await journey.addAgent(admin, 'carol');
    await journey.addAgent(admin, 'dave', 'ADMIN');
    await signedAll(admin, 6);
    const appended = await ztkeys('audit', 'export', '--append', path, '--json');
    expect(appended).toMatchObject({ code: EXIT.OK, stderr: '' });
    const fresh = await ztkeys('audit', 'export');
    expect(fresh.code).toBe(EXIT.OK);
    expect(readFileSync(path, 'utf8')).toBe(fresh.stdout);
    const added = fresh.stdout.split('\n').filter(Boolean).length - before.length;
    expect(added).toBeGreaterThanOrEqual(3); // two AgentAdded and a checkpoint at least
    const lastPosition = (line: string) => (JSON.parse(line) as { position: number }).position;
    expect(JSON.parse(appended.stdout)).toEqual({ file: path, after: lastPosition(before[before.length - 1]), lines: added, lastPosition: lastPosition(fresh.stdout.trim().split('\n').pop()!), cutShort: 0 });

    const vkey = (await call<string>(server, 'GET', '/v1/log-key')).body;
    const verified = await ztkeys('audit', 'verify', path, '--log-key', vkey);
    expect({ code: verified.code, stderr: verified.stderr }).toEqual({ code: EXIT.OK, stderr: '' });

    // Nothing new: nothing written.
    const again = await ztkeys('audit', 'export', '--append', path);
    expect(again).toMatchObject({ stderr: '', code: EXIT.OK, stdout: `${path} is up to date: the log has nothing past position ${lastPosition(fresh.stdout.trim().split('\n').pop()!)}.\n` });
    expect(readFileSync(path, 'utf8')).toBe(fresh.stdout);
  });

  it('cuts off a line left cut short at the end (an interrupted export or append) and writes it again whole', async () => {
    const whole = (await ztkeys('audit', 'export')).stdout;
    const path = file('cut.ndjson', whole);
    truncateSync(path, Buffer.byteLength(whole) - 25);
    const appended = await ztkeys('audit', 'export', '--append', path);
    expect(appended.code).toBe(EXIT.OK);
    expect(appended.stderr).toContain('ended in a line cut short');
    expect(readFileSync(path, 'utf8')).toBe(whole);
  });

  it('goes on from a file as audit verify reads it: a byte order mark, CRLF line ends, blank lines at either end', async () => {
    const whole = (await ztkeys('audit', 'export')).stdout;
    const edited = `\uFEFF\r\n${whole.replace(/\n/g, '\r\n')}\r\n\n`;
    const path = file('edited.ndjson', edited);
    await journey.addAgent(admin, 'hank');
    await signedAll(admin, eventCount(whole) + 1);
    const appended = await ztkeys('audit', 'export', '--append', path);
    expect([appended.code, appended.stderr]).toEqual([EXIT.OK, '']);
    expect(readFileSync(path, 'utf8')).toBe(edited + (await ztkeys('audit', 'export')).stdout.slice(whole.length));
    const verified = await ztkeys('audit', 'verify', path, '--log-key', (await call<string>(server, 'GET', '/v1/log-key')).body);
    expect({ code: verified.code, stderr: verified.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
  });

  it('lets one append at a time write the file (cron overlap, through a symlink too): the other is refused (exit 2), nothing is doubled', async () => {
    const before = (await ztkeys('audit', 'export')).stdout;
    const path = file('overlap.ndjson', before);
    const link = join(home, 'overlap-link.ndjson');
    symlinkSync(path, link);
    await journey.addAgent(admin, 'frank');
    await signedAll(admin, eventCount(before) + 1);

    const runs = await Promise.all([ztkeys('audit', 'export', '--append', path), ztkeys('audit', 'export', '--append', link)]);
    expect(runs.map((run) => run.code).sort()).toEqual([EXIT.OK, EXIT.USAGE]);
    expect(runs.find((run) => run.code === EXIT.USAGE)!.stderr).toMatch(/another ztkeys audit export --append is writing .*overlap\.ndjson \(process \d+ on .*\)\. Nothing was written/);
    expect(readFileSync(path, 'utf8')).toBe((await ztkeys('audit', 'export')).stdout);
    // The lock is gone with the run that took it: the next one goes ahead.
    expect(readdirSync(home).filter((name) => name.endsWith('.lock'))).toEqual([]);
    expect((await ztkeys('audit', 'export', '--append', link)).code).toBe(EXIT.OK);

    // A lock left by a run that died (kill -9) is named, with what to do; nothing is written.
    writeFileSync(`${path}.lock`, `2147483646 ${hostname()}\n`);
    const stale = await ztkeys('audit', 'export', '--append', path);
    expect([stale.code, stale.stdout]).toEqual([EXIT.USAGE, '']);
    expect(stale.stderr).toMatch(/left by process 2147483646, which is no longer running: if no append is running, remove .*overlap\.ndjson\.lock/);
    rmSync(`${path}.lock`);
  });

  it('refuses a FILE that is not a regular file (a directory, a FIFO, a symlink to either) with exit 2, without waiting on it', async () => {
    const dir = join(home, 'a-directory');
    mkdirSync(dir);
    const fifo = join(home, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(dir, join(home, 'dir-link'));
    symlinkSync(fifo, join(home, 'fifo-link'));
    for (const path of [dir, fifo, join(home, 'dir-link'), join(home, 'fifo-link')]) {
      const refused = await ztkeys('audit', 'export', '--append', path);
      expect({ path, code: refused.code, stdout: refused.stdout }).toEqual({ path, code: EXIT.USAGE, stdout: '' });
      expect(refused.stderr).toMatch(/is not a regular file \((a directory|a FIFO)\)\. Nothing was written/);
    }
    rmSync(dir, { recursive: true });
    for (const name of [fifo, join(home, 'dir-link'), join(home, 'fifo-link')]) rmSync(name);
  });

  itOnTmpfs('leaves FILE as it was when the disk fills up, during the download or the copy (exit 2, not a server error), and the next append completes it', async () => {
    const before = (await ztkeys('audit', 'export')).stdout;
    const path = join(volume!, `full-${admin.orgId}.ndjson`);
    writeFileSync(path, before);
    // More new lines than a page, so the copy needs a page the download took.
    for (let i = 0; i < 10; i++) await journey.addAgent(admin, `gina${i}`);
    await signedAll(admin, eventCount(before) + 10);
    const pages = Math.ceil((Buffer.byteLength((await ztkeys('audit', 'export')).stdout) - Buffer.byteLength(before)) / 4096);
    expect(pages).toBeGreaterThan(1);
    const ballast = fillVolume(volume!);
    // Room for the lock (a page) and `download` pages: none, then all the download needs but none for the copy.
    for (const download of [0, pages]) {
      rmSync(ballast);
      fillVolume(volume!);
      truncateSync(ballast, statSync(ballast).size - (download + 1) * 4096);
      const full = await ztkeys('audit', 'export', '--append', path);
      expect({ download, code: full.code, stdout: full.stdout }).toEqual({ download, code: EXIT.USAGE, stdout: '' });
      expect(full.stderr).toMatch(/Cannot append to .*: ENOSPC.*\. Nothing was added to /);
      expect(readFileSync(path, 'utf8')).toBe(before);
      expect(readdirSync(volume!).filter((name) => name !== 'ballast' && !name.endsWith('.ndjson'))).toEqual([]);
    }

    rmSync(ballast);
    expect((await ztkeys('audit', 'export', '--append', path)).code).toBe(EXIT.OK);
    expect(readFileSync(path, 'utf8')).toBe((await ztkeys('audit', 'export')).stdout);
    rmSync(path);
  });

  it("refuses another org's export, an edited last line, garbage, an empty or missing file (exit 2), writing nothing", async () => {
    const whole = (await ztkeys('audit', 'export')).stdout;
    const lines = whole.trim().split('\n');
    const other = await journey.createOrg('olga');
    await journey.addAgent(other, 'oscar');
    const othersExport = await signedAll(other, 3);
    const last = JSON.parse(lines[lines.length - 1]) as { position: number };
    const cases: Array<[string, string, RegExp]> = [
      ['other-org.ndjson', othersExport, /is not an export of org .*: its first line is event/],
      // The org's start, then another org's lines: the last line is not what the log holds at its position.
      ['spliced.ndjson', `${lines[0]}\n${othersExport}`, /its last complete line is event .* which the org's log does not hold there/],
      ['moved.ndjson', `${lines.slice(0, -1).join('\n')}\n${JSON.stringify({ ...last, position: last.position - 1 })}\n`, /which the org's log does not hold there/],
      ['beyond.ndjson', `${lines.slice(0, -1).join('\n')}\n${JSON.stringify({ ...last, position: last.position + 1_000_000 })}\n`, /its last line is at position \d+, past the end of the log/],
      ['garbage.ndjson', 'not an export\nat all\n', /its first line is not JSON/],
      ['no-position.ndjson', `${lines.map((line) => JSON.stringify({ ...JSON.parse(line), position: undefined })).join('\n')}\n`, /carries no log position/],
      ['one-line.ndjson', lines[0], /hold no complete line/],
      ['empty.ndjson', '', /it is empty/],
    ];
    for (const [name, text, why] of cases) {
      const path = file(name, text);
      const refused = await ztkeys('audit', 'export', '--append', path);
      expect({ name, code: refused.code, stdout: refused.stdout }).toEqual({ name, code: EXIT.USAGE, stdout: '' });
      expect(refused.stderr).toMatch(why);
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
    const missing = await ztkeys('audit', 'export', '--append', join(home, 'missing.ndjson'));
    expect([missing.code, missing.stderr]).toEqual([EXIT.USAGE, expect.stringContaining('no such file')]);
    // The downloads beside the files are gone, whatever became of the append.
    expect(readdirSync(home).filter((name) => name.endsWith('.download'))).toEqual([]);
  });
});
