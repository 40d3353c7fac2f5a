import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { createPrivateFileWith, makePrivateDir, narrowModes, PRIVATE_FILE_MODE } from '../shared/private-files';
import { usageError } from './cli-error';
import { lockHolder, tryLock } from './lock-file';

/** How long a run waits for another's change of a file (a few milliseconds each) before it gives up. */
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 5;

/**
 * Writes a file with mode 0600 from its first byte on (never briefly world-readable), through a
 * temporary file and a rename, so a crash or a concurrent reader never sees half a file.
 */
export function writePrivateFile(path: string, content: string): void {
  inHome(path, () => writeThroughRename(path, content));
}

/**
 * Rewrites a file from what it holds now (undefined: no file), under FILE.lock: two ztkeys at
 * once in one home (a script running them in parallel) would each write what they had read, the
 * last undoing the others' changes (a login, a key's state). `change` returns undefined to leave
 * the file as it is.
 */
export function updatePrivateFile(path: string, change: (current: string | undefined) => string | undefined): void {
  inHome(path, () => {
    makePrivateDir(dirname(path));
    const lock = takeLock(`${path}.lock`);
    try {
      const next = change(readIfAny(path));
      if (next !== undefined) writeThroughRename(path, next);
    } finally {
      rmSync(lock, { force: true });
    }
  });
}

const readIfAny = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * Takes the lock file, waiting while another run holds it. A lock whose process no longer runs on
 * this host (killed while it held it) is removed and taken.
 */
function takeLock(lock: string): string {
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (tryLock(lock)) return lock;
    const holder = lockHolder(lock);
    if (holder?.gone) {
      if (lockHolder(lock)?.line === holder.line) rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > waitUntil)
      throw usageError(`Another ztkeys (process ${holder?.pid || '?'} on ${holder?.host || '?'}) has held ${lock} for ${LOCK_WAIT_MS / 1000} s; if none is running, remove that file.`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_RETRY_MS);
  }
}

/** A folder ztkeys cannot write (a file in the way, no permission, read-only) is the user's to fix, not a bug. */
function inHome<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !code.startsWith('E')) throw error;
    const reason = (error as Error).message.split(',')[0];
    throw usageError(`Cannot write ${path} (${reason}). Check ZTKEYS_HOME, the folder ztkeys keeps its profiles and keys in.`);
  }
}

function writeThroughRename(path: string, content: string): void {
  // Folders that exist are left alone: ZTKEYS_HOME may name one that is not ours to change.
  makePrivateDir(dirname(path));
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  if (!createPrivateFileWith(temporary, content)) throw new Error(`${temporary} appeared meanwhile`);
  renameSync(temporary, path);
}

/**
 * Narrows what ztkeys keeps in its home (profiles.json 0600, keys/ 0700 with 0600 files), as the
 * server narrows DATA_DIR at start, and returns what was wider: a file copied or restored without
 * its mode lets other users read bearer tokens. The home folder itself is left alone, as above.
 */
export function narrowHome(home: string): string[] {
  return inHome(home, () => narrowInHome(home));
}

function narrowInHome(home: string): string[] {
  const changed: string[] = [];
  const profiles = join(home, 'profiles.json');
  const mode = statSync(profiles, { throwIfNoEntry: false })?.mode;
  if (mode !== undefined && (mode & 0o777) !== PRIVATE_FILE_MODE) {
    chmodSync(profiles, PRIVATE_FILE_MODE);
    changed.push(profiles);
  }
  const keys = join(home, 'keys');
  if (statSync(keys, { throwIfNoEntry: false })?.isDirectory()) changed.push(...narrowModes(keys));
  return changed;
}
