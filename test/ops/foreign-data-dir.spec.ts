import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { WitnessProcess } from '../witness/support/witness-process';
import { ServerProcess } from './support/server-process';

/** Every path under `dir` with its mode, as `ls -l` shows it: what a start must leave as found. */
function modes(dir: string): Record<string, string> {
  const entries = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => [name, (statSync(join(dir, name)).mode & 0o7777).toString(8)]);
  return Object.fromEntries([['.', (statSync(dir).mode & 0o7777).toString(8)], ...entries]);
}

/** A folder of another use, as a mistyped DATA_DIR finds it: a script to run, a page a web server reads. */
function foreignFolder(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'bin', 'tool'), '#!/bin/sh\necho hi\n');
  writeFileSync(join(dir, 'www', 'index.html'), '<p>public</p>\n');
  chmodSync(join(dir, 'bin', 'tool'), 0o755);
  chmodSync(join(dir, 'www', 'index.html'), 0o644);
  for (const folder of [dir, join(dir, 'bin'), join(dir, 'www')]) chmodSync(folder, 0o755);
  return dir;
}

/**
 * A careless operator's DATA_DIR: a folder of something else (a home, a web root, the project's own
 * folder), typed for the one ztkeys should have. The server took it: it narrowed every folder below
 * to 0700 and every file to 0600 (scripts no longer ran, pages no longer served) and started a new
 * deployment among them. The built server and witness, as an operator runs them.
 */
describe('a DATA_DIR that is another folder in use', () => {
  const parent = mkdtempSync(join(tmpdir(), 'ztkeys-foreign-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('the server refuses to start in one line naming what it found, and leaves every file and mode as found', async () => {
    const dir = foreignFolder(parent, 'srv');
    const before = modes(dir);
    const server = ServerProcess.spawn({ DATA_DIR: dir });
    try {
      expect((await server.exitWithin(30_000)).code).toBe(1);
      expect(server.logLines.filter((line) => line.level > 30).map(({ level, msg }) => ({ level, msg }))).toEqual([
        {
          level: 60,
          msg: `ztkeys cannot start: DATA_DIR ${dir} cannot be used: it holds what ztkeys did not make (bin, www) and none of its stores or secrets: a mistyped path? Give ztkeys a new or empty folder of its own`,
        },
      ]);
      expect(modes(dir)).toEqual(before);
    } finally {
      server.dispose();
    }
  });

  it('an empty folder, a mounted volume (lost+found) and its own folder with a file of the operator beside: it starts, narrowing only what it made', async () => {
    const volume = join(parent, 'volume');
    mkdirSync(join(volume, 'lost+found'), { recursive: true });
    chmodSync(join(volume, 'lost+found'), 0o700);
    const first = ServerProcess.spawn({ DATA_DIR: volume });
    try {
      await first.listening();
      expect(await first.stopWith('SIGTERM', 10_000)).toBeLessThan(10_000);
    } finally {
      first.dispose();
    }
    // The operator's note beside the stores, readable by the team, as they left it; the secrets still narrowed.
    writeFileSync(join(volume, 'NOTES.txt'), 'restored from the backup of 2026-11-30\n');
    chmodSync(join(volume, 'NOTES.txt'), 0o644);
    chmodSync(join(volume, 'jwt-secret'), 0o644);
    const again = ServerProcess.spawn({ DATA_DIR: volume });
    try {
      await again.listening();
      expect({ notes: modes(volume)['NOTES.txt'], secret: modes(volume)['jwt-secret'] }).toEqual({ notes: '644', secret: '600' });
    } finally {
      again.dispose();
    }
  });

  it.each([['events.sqlite'], ['jwt-secret']])('a folder at the name of its file %s: the server refuses to start in one line naming it and DATA_DIR, and leaves the folder as found', async (name) => {
    const dir = join(parent, `folder-at-${name}`);
    mkdirSync(join(dir, name), { recursive: true });
    const before = modes(dir);
    const server = ServerProcess.spawn({ DATA_DIR: dir });
    try {
      expect((await server.exitWithin(30_000)).code).toBe(1);
      expect({ lines: server.logLines.filter((line) => line.level > 30).map(({ level, msg }) => ({ level, msg })), stderr: server.stderr }).toEqual({
        lines: [
          {
            level: 60,
            msg: `ztkeys cannot start: DATA_DIR ${dir} cannot be used: ${join(dir, name)} is a folder where ztkeys keeps a file of that name: remove it or move it away`,
          },
        ],
        stderr: '',
      });
      expect(modes(dir)).toEqual(before);
    } finally {
      server.dispose();
    }
  });

  it('the witness refuses such a WITNESS_DATA_DIR too', async () => {
    const dir = foreignFolder(parent, 'home');
    const before = modes(dir);
    const logKey = verifierKeyText(signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 3)));
    const witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: dir, WITNESS_LOG_KEYS: logKey });
    expect(await witness.exitCodeWithin(15_000)).toBe(1);
    expect(witness.lines().filter((line) => line.level > 30).map(({ level, msg }) => ({ level, msg }))).toEqual([
      {
        level: 60,
        msg: `witness cannot start: WITNESS_DATA_DIR ${dir} cannot be used: it holds what ztkeys did not make (bin, www) and none of its stores or secrets: a mistyped path? Give ztkeys a new or empty folder of its own`,
      },
    ]);
    expect(modes(dir)).toEqual(before);
  });
});

/**
 * A FIFO at the name of a secret or of the roles' lock (made while the folder was open to others,
 * as a link would be): the start read it and waited for whoever writes into it, then took what
 * they wrote as the secret (a JWT secret of their choosing: tokens they mint). Refused at once.
 */
describe('a DATA_DIR holding a FIFO', () => {
  const parent = mkdtempSync(join(tmpdir(), 'ztkeys-fifo-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it.each(['jwt-secret', 'roles.lock'])('at %s: the server refuses to start in one line naming it, rather than wait on it', async (name) => {
    const dir = join(parent, name);
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, name)]);
    const server = ServerProcess.spawn({ DATA_DIR: dir });
    try {
      expect((await server.exitWithin(15_000)).code).toBe(1);
      expect(server.logLines.filter((line) => line.level > 30).map(({ level, msg }) => ({ level, msg }))).toEqual([
        {
          level: 60,
          msg: `ztkeys cannot start: DATA_DIR ${dir} cannot be used: ${join(dir, name)} is neither a file nor a folder (a FIFO, a socket or a device), which ztkeys never makes; whoever can write into a FIFO chooses what a read of it returns: remove it`,
        },
      ]);
    } finally {
      server.dispose();
    }
  });
});
