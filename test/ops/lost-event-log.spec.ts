import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { embeddedEnv } from '../support/embedded-env';
import { folderContents } from '../support/folder-contents';
import { holdAnOrgThenStop } from './support/held-an-org';
import { ROOT, ServerProcess } from './support/server-process';

const BOOTSTRAP_TOKEN = 'lost-event-log-bootstrap-token-of-32-bytes-at-least';
const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$/m;
const LOG_FILES = ['events.sqlite', 'events.sqlite-wal', 'events.sqlite-shm'];
/** CheckpointSigned events in the embedded log of `dataDir`. */
const signedCheckpoints = (dataDir: string): number => {
  const log = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
  try {
    return (log.prepare("SELECT count(*) AS n FROM events WHERE type = 'CheckpointSigned'").get() as { n: number }).n;
  } finally {
    log.close();
  }
};
const DERIVED_FILES = ['read-models.sqlite', 'merkle-nodes.sqlite', 'email.sqlite'].flatMap((name) => [name, `${name}-wal`, `${name}-shm`]);

/**
 * A restore that left the event log out, or cut it to nothing, beside the stores derived from it:
 * the server must not take it for a new deployment (an empty log, orgs made anew by the bootstrap
 * token over the read models, Merkle nodes and notifier checkpoint of the lost one). It refuses to
 * start in one line naming the file and what to do; with the derived stores moved away too, it
 * starts a new deployment, as the operator chose. The built server, as an operator runs it.
 */
describe('a DATA_DIR whose event log is missing or empty beside the stores derived from it', () => {
  const used = mkdtempSync(join(tmpdir(), 'ztkeys-lost-log-'));
  const copies: string[] = [];
  const started: ServerProcess[] = [];
  const spawn = (dataDir: string) => {
    const server = ServerProcess.spawn({ DATA_DIR: dataDir, BOOTSTRAP_TOKEN });
    started.push(server);
    return server;
  };
  /** A copy of the DATA_DIR of a server that held an org, with `lose` done to it. */
  const restored = (lose: (dataDir: string) => void) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-restored-'));
    copies.push(dataDir);
    cpSync(used, dataDir, { recursive: true });
    lose(dataDir);
    return dataDir;
  };
  const removed = (names: string[]) => (dataDir: string) => names.forEach((name) => rmSync(join(dataDir, name), { force: true }));
  const emptied = (dataDir: string) => {
    removed(LOG_FILES.slice(1))(dataDir);
    truncateSync(join(dataDir, 'events.sqlite'), 0);
  };

  beforeAll(async () => {
    // The Merkle follower stored the org, and the read models caught up with it.
    await holdAnOrgThenStop(spawn(used), BOOTSTRAP_TOKEN, async (url) => {
      const nodes = new Database(join(used, 'merkle-nodes.sqlite'), { readonly: true });
      try {
        return (nodes.prepare('SELECT count(*) AS n FROM merkle_orgs').get() as { n: number }).n > 0 && signedCheckpoints(used) > 0 && (await fetch(`${url}/health/ready`)).status === 200;
      } finally {
        nodes.close();
      }
    });
  }, 180_000);
  afterAll(() => {
    started.forEach((server) => server.dispose());
    [used, ...copies].forEach((dataDir) => rmSync(dataDir, { recursive: true, force: true }));
  });

  it.each([
    ['missing', removed(LOG_FILES), 'is missing'],
    ['empty (0 bytes)', emptied, 'is empty (0 bytes)'],
  ])('refuses to start when events.sqlite is %s, in one line naming the file and what to do, leaving DATA_DIR as found', async (_case, lose, state) => {
    const dataDir = restored(lose);
    const before = folderContents(dataDir);
    const server = spawn(dataDir);
    expect((await server.exitWithin(15_000)).code).toBe(1);
    const log = join(dataDir, 'events.sqlite');
    expect(server.logLines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
      `ztkeys cannot start: ${log} ${state}, but the stores derived from it in DATA_DIR (read-models.sqlite, merkle-nodes.sqlite, email.sqlite) show it held events: put back the event log of this deployment (events.sqlite of its backup); to start a new deployment here instead, move read-models.sqlite, merkle-nodes.sqlite and email.sqlite out of DATA_DIR first`,
    ]);
    expect(server.stdout + server.stderr).not.toMatch(STACK_LINE);
    // Nothing made in its place.
    expect(statSync(log, { throwIfNoEntry: false })?.size).toBe(state === 'is missing' ? undefined : 0);
    // Nor anything else: its reads of the derived stores left no -wal or -shm file beside them.
    expect(folderContents(dataDir)).toEqual(before);
  }, 60_000);

  it('refuses to start when log-signing-key is missing beside a log holding checkpoints it signed (a restore that left the key out), generating none', async () => {
    const dataDir = restored(removed(['log-signing-key']));
    const before = folderContents(dataDir);
    const server = spawn(dataDir);
    expect((await server.exited).code).toBe(1);
    const key = join(dataDir, 'log-signing-key');
    // Started, it made a new key, and the check found every org's log "tampered", refusing its writes.
    expect(server.logLines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
      `ztkeys cannot start: ${key} is missing, but ${join(dataDir, 'events.sqlite')} holds checkpoints signed by the log key: put back the log key of this deployment (log-signing-key of its backup) or set LOG_SIGNING_KEY to it; to rotate the key instead, list the old one in LOG_PREVIOUS_KEYS (README: Rotating the log key)`,
    ]);
    expect(statSync(key, { throwIfNoEntry: false })).toBeUndefined();
    expect(folderContents(dataDir)).toEqual(before);
  }, 60_000);

  it('starts a new deployment when the derived stores were moved away too, as the operator chose', async () => {
    const server = spawn(restored(removed([...LOG_FILES, ...DERIVED_FILES])));
    await server.listening(120_000);
    expect(await server.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
  }, 180_000);

  it('starts when the log is missing beside derived stores that never saw an event (a server started once, nothing written)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-never-written-'));
    copies.push(dataDir);
    const first = spawn(dataDir);
    await first.listening(120_000);
    expect(await first.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
    removed(LOG_FILES)(dataDir);
    const second = spawn(dataDir);
    await second.listening(120_000);
    expect(await second.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
  }, 180_000);

  it('npm run backup and projections:rebuild refuse an empty events.sqlite, as a missing one: a copy or a rebuild of nothing is no success', async () => {
    const dataDir = restored(emptied);
    copies.push(`${dataDir}-backup`);
    for (const [tool, arg] of [['dist/src/backup/backup.main.js', `${dataDir}-backup`], ['dist/src/read-models/rebuild.main.js', 'org-status']]) {
      const run = await promisify(execFile)(process.execPath, [join(ROOT, tool), arg], {
        cwd: ROOT,
        env: embeddedEnv({ DATA_DIR: dataDir }),
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(run).toEqual({ code: 1, stderr: expect.stringContaining(`DATA_DIR ${dataDir} holds an empty event log (events.sqlite, 0 bytes)`) });
    }
  }, 60_000);
});
