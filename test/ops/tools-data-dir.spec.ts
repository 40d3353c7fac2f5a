import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { openEventStore } from '../../src/event-store/open-event-store';
import { serverEmailQueue } from '../notifications/support/server-email-queue';
import { embeddedEnv } from '../support/embedded-env';
import { runWithin } from '../support/run-within';
import { fillVolume, mountSmallVolume, unmountSmallVolume } from '../support/small-volume';
import { ROOT } from './support/server-process';

/** A service user other than root (the tests run as root). */
const NOBODY = { uid: 65534, gid: 65534 };

/** Each tool the operator runs beside the server on its DATA_DIR, the store it opens there, and how it says it failed. */
const TOOLS = [
  { tool: 'backup', main: 'backup/backup.main.js', args: (work: string) => [join(work, `backup-${Math.random().toString(36).slice(2)}`)], store: 'merkle-nodes.sqlite' },
  { tool: 'rebuild', main: 'read-models/rebuild.main.js', args: () => ['org-status'], store: 'read-models.sqlite' },
  { tool: 'emails', main: 'notifications/failed-emails.main.js', args: () => ['retry', '--all'], store: 'email.sqlite' },
  { tool: 'email worker', main: 'notifications/worker.main.js', args: () => [], store: 'email.sqlite' },
] as const;
type Tool = (typeof TOOLS)[number];

/** What the tool said of its failure: backup, rebuild and emails one line on stderr; the worker one fatal JSON line on stdout, as the server. */
function said(tool: Tool, run: { stdout: string; stderr: string }): string {
  if (tool.tool !== 'email worker') return run.stderr.startsWith(`${tool.tool} failed: `) ? run.stderr.slice(`${tool.tool} failed: `.length) : run.stderr;
  const lines = run.stdout.trim().split('\n');
  const fatal = lines.length === 1 && lines[0].startsWith('{') ? (JSON.parse(lines[0]) as { level: number; msg: string }) : undefined;
  return fatal?.level === 60 && fatal.msg.startsWith('email worker cannot start: ') && run.stderr === '' ? `${fatal.msg.slice('email worker cannot start: '.length)}\n` : run.stdout + run.stderr;
}

/** A DATA_DIR as a server leaves it: its event log, email queue and a secret. */
async function serverDataDir(dir: string): Promise<void> {
  await (await openEventStore(loadConfig({ DATA_DIR: dir }))).close();
  await serverEmailQueue(dir);
  writeFileSync(join(dir, 'jwt-secret'), `${'s'.repeat(44)}\n`, { mode: 0o600 });
}

/**
 * npm run backup, projections:rebuild, emails and worker (the built tools) on a DATA_DIR the
 * server's start refuses: they ran none of its checks, and ended in an EISDIR or "disk I/O error"
 * line, a stack (the worker), or hung for ever reading a FIFO. Each must say what the server
 * says, in one line, and exit 1.
 */
describe("the operator tools check DATA_DIR as the server's start does", () => {
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-tools-dir-'));
  chmodSync(work, 0o755);
  const base = join(work, 'base');
  beforeAll(() => serverDataDir(base), 30_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let copies = 0;
  /** A copy of the server's DATA_DIR for one case. */
  const dataDir = (): string => {
    const dir = join(work, `data-${++copies}`);
    cpSync(base, dir, { recursive: true });
    return dir;
  };
  const run = (tool: Tool, dir: string, env: Record<string, string> = {}, user: object = {}) =>
    runWithin([process.execPath, join(ROOT, 'dist/src', tool.main), ...tool.args(work)], { cwd: work, env: embeddedEnv({ DATA_DIR: dir, LOG_LEVEL: 'info', ...env }), encoding: 'utf8', ...user }, 20_000);

  it.each(TOOLS.map((tool) => [tool.tool, tool] as const))('%s: a folder at the name of the store it opens is refused in one line naming it', (_name, tool) => {
    const dir = dataDir();
    for (const name of readdirSync(dir).filter((entry) => entry.startsWith(tool.store))) rmSync(join(dir, name));
    mkdirSync(join(dir, tool.store));
    const result = run(tool, dir);
    expect({ status: result.status, said: said(tool, result) }).toEqual({
      status: 1,
      said: `DATA_DIR ${dir} cannot be used: ${join(dir, tool.store)} is a folder where ztkeys keeps a file of that name: remove it or move it away\n`,
    });
  });

  it.each(TOOLS.map((tool) => [tool.tool, tool] as const))('%s: a FIFO in DATA_DIR is refused in one line naming it, not waited on', (_name, tool) => {
    const dir = dataDir();
    // At a secret's name (the backup copies it), or at the store it opens (the others read that).
    const name = tool.tool === 'backup' ? 'jwt-secret' : tool.store;
    for (const entry of readdirSync(dir).filter((entry) => entry.startsWith(name))) rmSync(join(dir, entry));
    execFileSync('mkfifo', [join(dir, name)]);
    const result = run(tool, dir);
    expect({ status: result.status, said: said(tool, result) }).toEqual({
      status: 1,
      said: `DATA_DIR ${dir} cannot be used: ${join(dir, name)} is neither a file nor a folder (a FIFO, a socket or a device), which ztkeys never makes; whoever can write into a FIFO chooses what a read of it returns: remove it\n`,
    });
  });

  it('the email worker on Redis: a FIFO at the log key it reads from DATA_DIR is refused, not waited on', () => {
    const tool = TOOLS[3];
    const dir = dataDir();
    rmSync(join(dir, 'log-signing-key'), { force: true });
    execFileSync('mkfifo', [join(dir, 'log-signing-key')]);
    const result = run(tool, dir, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `tools-dir-${process.pid}` });
    expect({ status: result.status, said: said(tool, result) }).toEqual({
      status: 1,
      said: `DATA_DIR ${dir} cannot be used: ${join(dir, 'log-signing-key')} is neither a file nor a folder (a FIFO, a socket or a device), which ztkeys never makes; whoever can write into a FIFO chooses what a read of it returns: remove it\n`,
    });
  });

  it.each(TOOLS.map((tool) => [tool.tool, tool] as const))('%s as the service user: a file left there by a run as root is refused in one line naming it', (_name, tool) => {
    const dir = dataDir();
    chownSync(dir, NOBODY.uid, NOBODY.gid);
    for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) chownSync(join(dir, name), NOBODY.uid, NOBODY.gid);
    // Left by a run as root: the service user cannot narrow its mode, and often not read it.
    chownSync(join(dir, 'jwt-secret'), 0, 0);
    const result = run(tool, dir, {}, NOBODY);
    expect({ status: result.status, said: said(tool, result) }).toEqual({
      status: 1,
      said: `DATA_DIR ${dir} cannot be used: ${join(dir, 'jwt-secret')} belongs to another user (uid 0), not to the user running ztkeys (uid ${NOBODY.uid}): chown -R ${NOBODY.uid} ${dir}\n`,
    });
  });

  describe('on a full disk', () => {
    const volume = mountSmallVolume('2m');
    const itOnTmpfs = volume ? it.each(TOOLS.map((tool) => [tool.tool, tool] as const)) : it.skip.each(TOOLS.map((tool) => [tool.tool, tool] as const));
    if (!volume) process.stdout.write('tools-data-dir: full disk skipped, mount -t tmpfs is not permitted here\n');
    afterAll(() => volume && unmountSmallVolume(volume));

    itOnTmpfs('%s says DATA_DIR is full in one line, no stack', (_name, tool) => {
      const dir = join(volume!, `data-${++copies}`);
      cpSync(base, dir, { recursive: true });
      const ballast = fillVolume(volume!);
      try {
        const result = run(tool, dir);
        expect({ status: result.status, said: said(tool, result) }).toEqual({
          status: 1,
          said: expect.stringMatching(new RegExp(`^DATA_DIR ${dir} cannot be used: its file system is (full|failing or full) \\([^\\n]*\\): free space there \\(df ${dir}\\)[^\\n]*\\n$`)),
        });
      } finally {
        rmSync(ballast);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
