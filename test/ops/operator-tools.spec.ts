import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { openEventStore } from '../../src/event-store/open-event-store';
import { TAMPERED_ORGS_FILE } from '../../src/runtime/data-dir-tampered-orgs-share';
import { serverEmailQueue } from '../notifications/support/server-email-queue';
import { waitFor } from '../notifications/support/wait-for';
import { embeddedEnv } from '../support/embedded-env';
import { runWithin } from '../support/run-within';
import { mountSmallVolume, unmountSmallVolume } from '../support/small-volume';
import { shownCommand, WatchedChild } from '../support/watched-child';
import { ROOT, ServerProcess } from './support/server-process';

const STACK_LINE = /^\s+at /m;
/** A service user other than root (the tests run as root). */
const NOBODY = { uid: 65534, gid: 65534 };

function chownRecursively(dir: string, { uid, gid }: { uid: number; gid: number }): void {
  chownSync(dir, uid, gid);
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) chownSync(join(dir, name), uid, gid);
}

/** A DATA_DIR whose read models (150 MB) take a backup long enough to be caught under way. */
async function bigDataDir(dataDir: string): Promise<void> {
  await (await openEventStore(loadConfig({ DATA_DIR: dataDir }))).close();
  const readModels = new Database(join(dataDir, 'read-models.sqlite'));
  readModels.exec('CREATE TABLE filler (bytes BLOB)');
  const fill = readModels.prepare('INSERT INTO filler VALUES (randomblob(1000000))');
  for (let i = 0; i < 150; i++) fill.run();
  readModels.close();
}

/** npm run backup, projections:rebuild, worker and emails (the built tools) called wrong: a clear line, a non-zero exit, no stack, nothing written. */
describe('operator tools called wrong', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-tools-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const run = (tool: string, args: string[], env: Record<string, string> = {}) =>
    runWithin([process.execPath, join(ROOT, 'dist/src', tool), ...args], { cwd: work, env: embeddedEnv({ DATA_DIR: join(work, 'data'), LOG_LEVEL: 'info', ...env }), encoding: 'utf8' }, 20_000);

  it.each([[[]], [['one', 'two']], [['--', '-h']]])('backup %j prints the usage and exits 2, creating no folder', (args) => {
    const result = run('backup/backup.main.js', args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run backup -- <empty or new folder');
    for (const arg of args) expect(existsSync(join(work, arg))).toBe(false);
  });

  it('backup of a DATA_DIR without an event log (a mistyped path) fails naming DATA_DIR, creating no backup', () => {
    const result = run('backup/backup.main.js', [join(work, 'backup-1')], { DATA_DIR: join(work, 'no-such-data') });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`backup failed: DATA_DIR ${join(work, 'no-such-data')} holds no event log (events.sqlite): run with the server's DATA_DIR\n`);
    expect(existsSync(join(work, 'backup-1'))).toBe(false);
  });

  it('backup of a DATA_DIR whose event log is no whole database (damaged, cut short) fails naming the file, leaving no backup, not even an incomplete one', () => {
    const damaged = join(work, 'damaged-data');
    mkdirSync(damaged);
    writeFileSync(join(damaged, 'events.sqlite'), Buffer.alloc(5000, 0x5a));
    const result = run('backup/backup.main.js', [join(work, 'backup-damaged')], { DATA_DIR: damaged });
    expect([result.status, result.stderr]).toEqual([
      1,
      `backup failed: ${join(damaged, 'events.sqlite')} is not a whole SQLite database (file is not a database): cut short or damaged, as by a copy interrupted; put back a whole copy of it (from a backup)\n`,
    ]);
    expect(readdirSync(work).filter((name) => name.startsWith('backup-damaged'))).toEqual([]);
  });

  it("backup copies a secret kept as a link (a mounted secret) as its bytes, and makes every file its copy holds the service user's only, whatever DATA_DIR's modes", async () => {
    const dataDir = join(work, 'linked-secrets');
    await (await openEventStore(loadConfig({ DATA_DIR: dataDir }))).close();
    const secrets = join(work, 'mounted-secrets');
    mkdirSync(secrets);
    writeFileSync(join(secrets, 'jwt-secret'), 'a-mounted-secret-of-enough-length-0123456789\n', { mode: 0o600 });
    symlinkSync('../mounted-secrets/jwt-secret', join(dataDir, 'jwt-secret'));
    writeFileSync(join(dataDir, 'notes.txt'), 'kept by the operator\n', { mode: 0o644 });
    chmodSync(join(dataDir, 'notes.txt'), 0o644);
    const target = join(work, 'backup-of-linked-secrets');
    expect(run('backup/backup.main.js', [target], { DATA_DIR: dataDir }).status).toBe(0);
    // The secret's bytes, not a link that leads nowhere once the mounted file is gone (what a restore is for).
    rmSync(secrets, { recursive: true });
    expect(lstatSync(join(target, 'jwt-secret')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(target, 'jwt-secret'), 'utf8')).toBe('a-mounted-secret-of-enough-length-0123456789\n');
    for (const name of readdirSync(target)) expect({ name, mode: lstatSync(join(target, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
  });

  // A small volume for the backup folder, where mounting one is permitted (root, as here and in CI).
  const backupVolume = mountSmallVolume('300k');
  if (!backupVolume) process.stdout.write('operator-tools: full backup volume skipped, mount -t tmpfs is not permitted here\n');
  afterAll(() => backupVolume && unmountSmallVolume(backupVolume));
  (backupVolume ? it : it.skip)('backup into a folder whose volume fills up fails naming that folder, not DATA_DIR, keeping nothing', async () => {
    const volume = backupVolume!;
    const dataDir = join(work, 'big-for-small-volume');
    await bigDataDir(dataDir);
    const target = join(volume, 'backup');
    const result = run('backup/backup.main.js', [target], { DATA_DIR: dataDir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^backup failed: ${target} cannot take the copy of \\S+ \\(database or disk is full\\): its file system is full or failing; free space there \\(df ${volume}\\) or give another folder\\. Nothing was kept\n$`));
    expect(readdirSync(volume)).toEqual([]);
  }, 60_000);

  it('projections:rebuild while another rebuild runs on the DATA_DIR is refused naming it (two at once dropped each other\'s half-built generation: a raw "no such table"), and runs once it is gone', async () => {
    const dataDir = join(work, 'rebuilt-twice');
    await (await openEventStore(loadConfig({ DATA_DIR: dataDir }))).close();
    // The lock as a running rebuild holds it: its pid, this test's process standing in for it.
    writeFileSync(join(dataDir, 'rebuild.lock'), `${process.pid}\n`);
    const refused = run('read-models/rebuild.main.js', ['org-status'], { DATA_DIR: dataDir });
    expect([refused.status, refused.stderr]).toEqual([1, `rebuild failed: another rebuild (pid ${process.pid}) is running on DATA_DIR ${dataDir}: let it finish, then run again if you still need to\n`]);
    rmSync(join(dataDir, 'rebuild.lock'));
    const rebuilt = run('read-models/rebuild.main.js', ['org-status'], { DATA_DIR: dataDir });
    expect(rebuilt.status).toBe(0);
    expect(existsSync(join(dataDir, 'rebuild.lock'))).toBe(false);
  }, 60_000);

  it('projections:rebuild of a DATA_DIR without an event log (a mistyped path) fails naming DATA_DIR, creating nothing', () => {
    const result = run('read-models/rebuild.main.js', ['org-status'], { DATA_DIR: join(work, 'no-such-data') });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`rebuild failed: DATA_DIR ${join(work, 'no-such-data')} holds no event log (events.sqlite): run with the server's DATA_DIR\n`);
    expect(existsSync(join(work, 'no-such-data'))).toBe(false);
  });

  it('backup into a folder inside DATA_DIR is refused before anything is copied', async () => {
    // An event log, and the read models rebuilt from it.
    await (await openEventStore(loadConfig({ DATA_DIR: join(work, 'data') }))).close();
    expect(run('read-models/rebuild.main.js', ['org-status'], { REBUILD_GRACE_MS: '0' }).status).toBe(0);
    const result = run('backup/backup.main.js', [join(work, 'data', 'backup')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^backup failed: .*data\/backup is inside DATA_DIR .*: back up to a folder outside it\n$/);
    expect(readdirSync(join(work, 'data'))).not.toContain('backup');
  }, 60_000);

  it('backup into a folder inside DATA_DIR reached through a link, or into a link, is refused before anything is copied', async () => {
    await (await openEventStore(loadConfig({ DATA_DIR: join(work, 'data') }))).close();
    // A path that does not start with DATA_DIR's and yet lands in it: the copy would copy itself, and stay there.
    symlinkSync(join(work, 'data'), join(work, 'data-link'));
    const throughLink = run('backup/backup.main.js', [join(work, 'data-link', 'backup')]);
    expect([throughLink.status, throughLink.stderr]).toEqual([1, `backup failed: ${join(work, 'data-link', 'backup')} is inside DATA_DIR ${join(work, 'data')}: back up to a folder outside it\n`]);
    expect(readdirSync(join(work, 'data')).filter((name) => name.startsWith('backup'))).toEqual([]);
    // A link to an empty folder: the whole copy was made, then could not be renamed over the link.
    mkdirSync(join(work, 'empty'));
    symlinkSync(join(work, 'empty'), join(work, 'backup-link'));
    const intoLink = run('backup/backup.main.js', [join(work, 'backup-link')]);
    expect([intoLink.status, intoLink.stderr]).toEqual([1, `backup failed: ${join(work, 'backup-link')} is a link: give the folder it names, ${join(work, 'empty')}\n`]);
    expect(readdirSync(work).filter((name) => name.endsWith('.incomplete'))).toEqual([]);
  }, 60_000);

  it('backup into a file, or a folder that is not empty, is refused naming it, writing nothing', async () => {
    await (await openEventStore(loadConfig({ DATA_DIR: join(work, 'data') }))).close();
    const file = join(work, 'a-file');
    writeFileSync(file, 'kept');
    const intoFile = run('backup/backup.main.js', [file]);
    expect([intoFile.status, intoFile.stderr]).toEqual([1, `backup failed: ${file} is a file, not a folder: give a new or empty folder\n`]);
    expect(readFileSync(file, 'utf8')).toBe('kept');
    const full = join(work, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'other'), 'kept');
    const intoFull = run('backup/backup.main.js', [full]);
    expect([intoFull.status, intoFull.stderr]).toEqual([1, `backup failed: ${full} is not empty: give a new or empty folder\n`]);
    expect(readdirSync(full)).toEqual(['other']);
    expect(readdirSync(work).filter((name) => name.endsWith('.incomplete'))).toEqual([]);
  }, 60_000);

  it('backup into a folder every user may write in without the sticky bit is refused before anything is copied: anyone could put a backup of their own in its place', async () => {
    await (await openEventStore(loadConfig({ DATA_DIR: join(work, 'data') }))).close();
    const open = join(work, 'open-to-all');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const result = run('backup/backup.main.js', [join(open, 'backup')]);
    expect([result.status, result.stderr]).toEqual([
      1,
      `backup failed: ${open} is writable by every user (mode 777) without the sticky bit: any of them could rename the backup away and put one of their own (with secrets they know) in its place; give a folder in a folder only you write in, or chmod o-w ${open}\n`,
    ]);
    expect(readdirSync(open)).toEqual([]);
  }, 60_000);

  it("backup as a service user into a shared folder (/tmp-like: sticky, open to all) where another user left the backup's lock, copy or folder names: refused naming it, not EPERM or ENOTDIR", async () => {
    // A folder the service user (nobody) can reach, with its DATA_DIR and a shared folder of mode 1777 in it.
    const place = mkdtempSync(join(tmpdir(), 'ztkeys-tools-shared-'));
    try {
      chmodSync(place, 0o755);
      const dataDir = join(place, 'data');
      await (await openEventStore(loadConfig({ DATA_DIR: dataDir }))).close();
      chownRecursively(dataDir, NOBODY);
      const shared = join(place, 'tmp');
      mkdirSync(shared);
      chmodSync(shared, 0o1777);
      // Another local user (uid 1234) took the names beside the folder the operator means to back up into.
      const other = { uid: 1234, gid: 1234 };
      writeFileSync(join(shared, 'a.lock'), '999999\n');
      mkdirSync(join(shared, 'b.incomplete'));
      mkdirSync(join(shared, 'c'));
      for (const name of ['a.lock', 'b.incomplete', 'c']) chownSync(join(shared, name), other.uid, other.gid);
      const asNobody = (target: string) =>
        runWithin([process.execPath, join(ROOT, 'dist/src/backup/backup.main.js'), target], { cwd: place, env: embeddedEnv({ DATA_DIR: dataDir }), encoding: 'utf8', ...NOBODY }, 20_000);
      for (const [target, left] of [['a', 'a.lock'], ['b', 'b.incomplete'], ['c', 'c']]) {
        const result = asNobody(join(shared, target));
        expect([result.status, result.stderr]).toEqual([
          1,
          `backup failed: ${join(shared, left)} belongs to another user (uid 1234), and ${shared} lets only its owner remove it: give another folder, in a folder only you write in\n`,
        ]);
      }
      expect(readdirSync(shared).sort()).toEqual(['a.lock', 'b.incomplete', 'c']);
      // Where nobody else took a name, the service user backs up there.
      expect(asNobody(join(shared, 'd')).status).toBe(0);
      expect(readdirSync(join(shared, 'd'))).toContain('events.sqlite');
    } finally {
      rmSync(place, { recursive: true, force: true });
    }
  }, 60_000);

  it("backup leaves out the running server's DATA_DIR lock and its check's last finding: a restored folder starts without them", async () => {
    const server = ServerProcess.spawn({ DATA_DIR: join(work, 'data') });
    try {
      await server.listening();
      expect(readdirSync(join(work, 'data'))).toContain('roles.lock');
      // Left by the check at start, for the api processes beside: the restored deployment's own check says anew.
      await waitFor('the check at start to leave its finding', () => existsSync(join(work, 'data', TAMPERED_ORGS_FILE)));
      const result = run('backup/backup.main.js', [join(work, 'backup-2')]);
      expect(result.status).toBe(0);
      expect(readdirSync(join(work, 'backup-2'))).toContain('events.sqlite');
      expect(readdirSync(join(work, 'backup-2')).filter((name) => name === 'roles.lock' || name.startsWith(TAMPERED_ORGS_FILE))).toEqual([]);
    } finally {
      await server.stopWith('SIGTERM', 5000);
      server.dispose();
    }
  }, 60_000);

  /** A backup of a DATA_DIR of large read models into `backupName`, once it has begun copying. */
  async function backupUnderWay(dataName: string, backupName: string): Promise<{ dataDir: string; target: string; backup: WatchedChild }> {
    const dataDir = join(work, dataName);
    await bigDataDir(dataDir);
    const target = join(work, backupName);
    const command = [process.execPath, join(ROOT, 'dist/src/backup/backup.main.js'), target];
    const backup = new WatchedChild(spawn(command[0], command.slice(1), { cwd: work, env: embeddedEnv({ DATA_DIR: dataDir }) }), shownCommand(command));
    await backup.untilSaid('backup: 0/', 30_000);
    return { dataDir, target, backup };
  }

  it('a backup interrupted (Ctrl-C, a cron timeout) leaves no folder that looks like a backup; run again, it completes', async () => {
    const { dataDir, target, backup } = await backupUnderWay('big-data', 'backup-interrupted');
    backup.child.kill('SIGINT');
    await backup.exitWithin(15_000);
    // Restored, a half copy (a store cut short, no event log) would start a server on an empty log.
    expect(existsSync(target)).toBe(false);
    const again = run('backup/backup.main.js', [target], { DATA_DIR: dataDir });
    expect(again.status).toBe(0);
    expect(readdirSync(target).sort()).toEqual(expect.arrayContaining(['events.sqlite', 'read-models.sqlite']));
    expect(readdirSync(work).filter((name) => name.startsWith('backup-interrupted'))).toEqual(['backup-interrupted']);
  }, 120_000);

  it('two backups into one folder at once: the second is refused naming the first, and the first makes the backup whole', async () => {
    const { dataDir, target, backup: first } = await backupUnderWay('busy-data', 'backup-twice');
    // Held in the middle of its copy while the second runs (on a RAM disk it would be over at once).
    first.child.kill('SIGSTOP');
    let second: ReturnType<typeof run>;
    try {
      second = run('backup/backup.main.js', [target], { DATA_DIR: dataDir });
    } finally {
      first.child.kill('SIGCONT');
    }
    expect(second.stderr).toBe(`backup failed: another backup (pid ${first.child.pid}) is writing ${target}: let it finish, or give another folder\n`);
    expect(second.status).toBe(1);
    expect((await first.exitWithin(60_000)).code).toBe(0);
    const copy = new Database(join(target, 'read-models.sqlite'), { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 150 });
    copy.close();
    expect(readdirSync(work).filter((name) => name.startsWith('backup-twice'))).toEqual(['backup-twice']);
  }, 120_000);

  it("a link left at <folder>.incomplete (by someone who can write beside it) is removed, not written through: the copy is the backup's own", async () => {
    await (await openEventStore(loadConfig({ DATA_DIR: join(work, 'linked-data') }))).close();
    const theirs = join(work, 'theirs');
    mkdirSync(theirs);
    const target = join(work, 'backup-linked');
    symlinkSync(theirs, `${target}.incomplete`);
    const result = run('backup/backup.main.js', [target], { DATA_DIR: join(work, 'linked-data') });
    expect(result.status).toBe(0);
    expect(readdirSync(theirs)).toEqual([]);
    expect(lstatSync(target).isDirectory()).toBe(true);
    expect(lstatSync(target).mode & 0o777).toBe(0o700);
    expect(readdirSync(target)).toContain('events.sqlite');
    expect(existsSync(`${target}.incomplete`)).toBe(false);
  }, 60_000);

  it('emails of a DATA_DIR without an email queue (a mistyped path) fails naming DATA_DIR, creating nothing', () => {
    const result = run('notifications/failed-emails.main.js', ['failed'], { DATA_DIR: join(work, 'no-such-data') });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `emails failed: DATA_DIR ${join(work, 'no-such-data')} holds no email queue (email.sqlite): run with the server's DATA_DIR (and REDIS_URL if it has one)\n`,
    );
    expect(existsSync(join(work, 'no-such-data'))).toBe(false);
  });

  it.each([[[]], [['--', '--help']], [['retry', 'some-job', '--all']], [['failed', '--limit', 'all']]])('emails %j prints the usage and exits 2, reading nothing', (args) => {
    const result = run('notifications/failed-emails.main.js', args, { DATA_DIR: join(work, 'no-such-data') });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run emails -- failed');
    expect(result.stdout).toBe('');
    expect(existsSync(join(work, 'no-such-data'))).toBe(false);
  });

  it('projections:rebuild with a wrong variable says which, without a stack', () => {
    const result = run('read-models/rebuild.main.js', ['org-status'], { REBUILD_GRACE_MS: 'ten' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('rebuild failed: REBUILD_GRACE_MS must be a non-negative integer, got "ten"\n');
  });

  it('the email worker with a wrong variable ends with one fatal JSON line naming it, without a stack', () => {
    const result = run('notifications/worker.main.js', [], { EMAIL_ATTEMPTS: '0' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines).toEqual([expect.objectContaining({ level: 60, msg: 'email worker cannot start: EMAIL_ATTEMPTS must be a positive integer, got "0"' })]);
    expect(result.stdout).not.toMatch(STACK_LINE);
  });

  it('the email worker whose email.sqlite is no whole database ends with one fatal JSON line naming it, without a stack', () => {
    const damaged = join(work, 'damaged-queue');
    mkdirSync(damaged);
    writeFileSync(join(damaged, 'email.sqlite'), Buffer.alloc(5000, 0x5a));
    const result = run('notifications/worker.main.js', [], { DATA_DIR: damaged });
    expect({ status: result.status, stderr: result.stderr, lines: result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string }) }).toEqual({
      status: 1,
      stderr: '',
      lines: [expect.objectContaining({ level: 60, msg: `email worker cannot start: ${join(damaged, 'email.sqlite')} is not a whole SQLite database (file is not a database): cut short or damaged, as by a copy interrupted; put back a whole copy of it (from a backup)` })],
    });
  });

  it('the email worker on a DATA_DIR where no server ran (embedded queue) ends with one fatal JSON line naming DATA_DIR, creating nothing', () => {
    const mistyped = join(work, 'no-server-here');
    const result = run('notifications/worker.main.js', [], { DATA_DIR: mistyped });
    expect({ status: result.status, stderr: result.stderr, lines: result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string }) }).toEqual({
      status: 1,
      stderr: '',
      lines: [
        expect.objectContaining({
          level: 60,
          msg: `email worker cannot start: DATA_DIR ${mistyped} holds no email queue (email.sqlite): run with the server's DATA_DIR (and REDIS_URL if it has one)`,
        }),
      ],
    });
    expect(existsSync(mistyped)).toBe(false);
  });

  it('the email worker whose EMAIL_WORKER_METRICS_PORT is taken ends with one fatal JSON line naming it, without a stack', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    try {
      const { port } = busy.address() as AddressInfo;
      await serverEmailQueue(join(work, 'data'));
      const result = run('notifications/worker.main.js', [], { EMAIL_WORKER_METRICS_PORT: String(port) });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe('');
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(lines).toEqual([
        expect.objectContaining({ level: 60, msg: `email worker cannot start: EMAIL_WORKER_METRICS_PORT ${port} is already in use by another process: stop it or choose another EMAIL_WORKER_METRICS_PORT` }),
      ]);
    } finally {
      busy.close();
    }
  });

  // --help is not among them: the usage on stdout, exit 0 (tools-help.spec.ts).
  it.each([[['--concurrency=4']], [['now']], [['--', '--help']]])('the email worker given %j prints its usage and exits 2 instead of starting', (args) => {
    const result = run('notifications/worker.main.js', args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run worker (no arguments');
    expect(result.stdout).toBe('');
  });
});
