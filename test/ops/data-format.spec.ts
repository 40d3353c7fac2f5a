import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DATA_FORMAT } from '../../src/shared/data-format';
import { waitFor } from '../notifications/support/wait-for';
import { embeddedEnv } from '../support/embedded-env';
import { folderContents as contents } from '../support/folder-contents';
import { holdAnOrgThenStop } from './support/held-an-org';
import { ROOT, ServerProcess } from './support/server-process';

const BOOTSTRAP_TOKEN = 'data-format-bootstrap-token-of-32-bytes-at-least';
const STORES = ['events.sqlite', 'read-models.sqlite', 'merkle-nodes.sqlite', 'email.sqlite'];
/** A format no release knows yet: what a newer release would have written. */
const NEWER = 1000;
const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$/m;

const formatOf = (path: string): number => {
  const db = new Database(path, { fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};
const setFormat = (path: string, format: number): void => {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma(`user_version = ${format}`);
  } finally {
    db.close();
  }
};
const refusal = (path: string): RegExp =>
  new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in data format ${NEWER}, written by a newer ztkeys; this release knows data format ${DATA_FORMAT} at most: run the newer release on it, or restore the backup taken before the upgrade$`);

const runTool = (script: string, args: string[], dataDir: string) =>
  promisify(execFile)(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, env: embeddedEnv({ DATA_DIR: dataDir }), timeout: 20_000 }).then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

/**
 * The format each embedded store of DATA_DIR was written in (its PRAGMA user_version): a release
 * started on a folder a newer release wrote (or restoring such a backup) refuses it in one line
 * naming both formats and leaves it as found; a folder from before the marker is upgraded and
 * served. The built server, worker and tools, as an operator runs them.
 */
describe('the data format of DATA_DIR', () => {
  /** A folder written by today's release, its stores of before the marker (user_version 0). */
  const used = mkdtempSync(join(tmpdir(), 'ztkeys-data-format-'));
  const copies: string[] = [];
  const started: ServerProcess[] = [];
  const spawn = (dataDir: string, env: Record<string, string> = {}) => {
    const server = ServerProcess.spawn({ DATA_DIR: dataDir, BOOTSTRAP_TOKEN, ...env });
    started.push(server);
    return server;
  };
  const copy = (mark: (dataDir: string) => void = () => undefined) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-data-format-copy-'));
    copies.push(dataDir);
    cpSync(used, dataDir, { recursive: true });
    mark(dataDir);
    return dataDir;
  };
  const newer = (store: string) => (dataDir: string) => setFormat(join(dataDir, store), NEWER);

  beforeAll(async () => {
    await holdAnOrgThenStop(spawn(used), BOOTSTRAP_TOKEN, async (url) => (await fetch(`${url}/health/ready`)).status === 200);
    // As a release before the marker left them.
    for (const store of STORES) setFormat(join(used, store), 0);
  }, 180_000);
  afterAll(() => {
    started.forEach((server) => server.dispose());
    [used, ...copies].forEach((dataDir) => rmSync(dataDir, { recursive: true, force: true }));
  });

  it.each(STORES.flatMap((store) => [{ store, roles: 'api,projector,notifier,worker' }, { store, roles: 'api' }]))(
    'a server of ROLES=$roles refuses a DATA_DIR whose $store a newer release wrote, in one line, changing nothing in it',
    async ({ store, roles }) => {
      const dataDir = copy(newer(store));
      const before = contents(dataDir);
      const server = spawn(dataDir, { ROLES: roles });
      expect((await server.exitWithin(30_000)).code).toBe(1);
      const fatal = server.logLines.filter((line) => line.level >= 50).map((line) => line.msg);
      expect(fatal).toEqual([expect.stringMatching(/^ztkeys cannot start: /)]);
      expect(fatal[0]!.slice('ztkeys cannot start: '.length)).toMatch(refusal(join(dataDir, store)));
      expect(server.stdout + server.stderr).not.toMatch(STACK_LINE);
      expect(contents(dataDir)).toEqual(before);
    },
    60_000,
  );

  it('the email worker, projections:rebuild and backup refuse a DATA_DIR a newer release wrote, changing nothing in it', async () => {
    const dataDir = copy(newer('email.sqlite'));
    const before = contents(dataDir);
    const worker = await runTool('dist/src/notifications/worker.main.js', [], dataDir);
    expect(worker.code).toBe(1);
    // pino's one JSON line, on stdout.
    const line = JSON.parse(worker.stdout.split('\n').find((text) => text.startsWith('{')) ?? '{}') as { msg?: string };
    expect(line.msg?.slice('email worker cannot start: '.length)).toMatch(refusal(join(dataDir, 'email.sqlite')));
    for (const [script, args, prefix] of [
      ['dist/src/read-models/rebuild.main.js', ['org-status'], 'rebuild failed: '],
      ['dist/src/backup/backup.main.js', [`${dataDir}-backup`], 'backup failed: '],
    ] as const) {
      const run = await runTool(script, [...args], dataDir);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().slice(prefix.length)).toMatch(refusal(join(dataDir, 'email.sqlite')));
    }
    expect(existsSync(`${dataDir}-backup`)).toBe(false);
    expect(contents(dataDir)).toEqual(before);
  }, 90_000);

  it('npm run backup keeps each store\'s format in its copy, so a newer release\'s backup, restored, is refused too', async () => {
    const dataDir = copy((dir) => STORES.forEach((store) => setFormat(join(dir, store), DATA_FORMAT)));
    const backup = `${dataDir}-backup`;
    copies.push(backup);
    expect(await runTool('dist/src/backup/backup.main.js', [backup], dataDir)).toMatchObject({ code: 0 });
    expect(STORES.map((store) => formatOf(join(backup, store)))).toEqual(STORES.map(() => DATA_FORMAT));
    // As the newer release's backup would hold it.
    newer('events.sqlite')(backup);
    const server = spawn(backup);
    expect((await server.exitWithin(30_000)).code).toBe(1);
    expect(server.logLines.find((line) => line.level >= 50)?.msg?.slice('ztkeys cannot start: '.length)).toMatch(refusal(join(backup, 'events.sqlite')));
  }, 60_000);

  it('a DATA_DIR from before the marker is marked at start and served; a server and a ROLES=api process starting on it at once leave one value', async () => {
    const dataDir = copy();
    const both = [spawn(dataDir), spawn(dataDir, { ROLES: 'api' })];
    const urls = await Promise.all(both.map((server) => server.listening(120_000)));
    for (const url of urls) await waitFor(`${url} to be ready`, async () => (await fetch(`${url}/health/ready`)).status === 200);
    for (const server of both) expect(await server.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
    expect(STORES.map((store) => formatOf(join(dataDir, store)))).toEqual(STORES.map(() => DATA_FORMAT));
    // Started again, it finds its own format and serves.
    const again = spawn(dataDir);
    await again.listening(120_000);
    expect(await again.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
    expect(STORES.map((store) => formatOf(join(dataDir, store)))).toEqual(STORES.map(() => DATA_FORMAT));
  }, 240_000);
});
