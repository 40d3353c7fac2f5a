import { chmodSync, closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** DATA_DIR and what it holds (names, emails, codes, keys, secrets) are for the service's user only. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates a folder (and its parents) readable by the owner only; an existing one keeps its mode.
 * One folder at a time from the nearest that exists: Node's recursive mkdir never returns where a
 * file system answers ENOENT under a folder that exists (/proc), where this throws that ENOENT.
 */
export function makePrivateDir(path: string): void {
  const missing: string[] = [];
  // A file on the path is "missing" too: mkdir then throws EEXIST for it, as the recursive one did.
  for (let folder = resolve(path); !isFolder(folder) && dirname(folder) !== folder; folder = dirname(folder)) missing.unshift(folder);
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode: PRIVATE_DIR_MODE });
    } catch (error) {
      // Another process made it meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isFolder(folder)) throw error;
    }
  }
}

const isFolder = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Creates `path` empty with mode 0600 unless it exists: SQLite then gives its -wal and -shm files the same mode. */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/**
 * Creates `path` (mode 0600) holding `content`, whole or not at all, unless something is there
 * already (then false). A write cut short (a full disk) removes the file it began: an empty secret
 * left behind would stop every later start as too weak, once space was back.
 */
export function createPrivateFileWith(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE); // the umask may have cleared bits asked for (0600), never added any
    // Every byte (one write(2) on a disk all but full writes what fits), on the disk before it is used.
    writeFileSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw error;
  }
  closeSync(fd);
  return true;
}

/**
 * At start: narrows `dir` to 0700 and every folder below it to 0700, every file to 0600, and
 * returns what it had to change (to warn the operator: they were readable by others until now).
 * Only what `own` names among the entries of `dir` (and all below them): what else an operator
 * keeps there is left as they made it.
 */
export function narrowModes(dir: string, own: (name: string) => boolean = () => true): string[] {
  makePrivateDir(dir);
  const changed: string[] = [];
  const narrow = (path: string, mode: number): void => {
    // Gone since the folder was listed: another process of the deployment (a cluster worker) ended its SQLite journal meanwhile.
    const found = statSync(path, { throwIfNoEntry: false });
    if (found === undefined || (found.mode & 0o777) === mode) return;
    try {
      chmodSync(path, mode);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return;
      throw error;
    }
    changed.push(path);
  };
  for (const { path, folder } of foldersAndFiles(dir)) {
    if (path === dir || own(relative(dir, path).split(sep)[0])) narrow(path, folder ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
  }
  return changed;
}

/** `dir` itself, then every folder and file below it (links and sockets left out). */
export function* foldersAndFiles(dir: string): Generator<{ path: string; folder: boolean }> {
  yield { path: dir, folder: true };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory() || entry.isFile()) yield { path: join(entry.parentPath, entry.name), folder: entry.isDirectory() };
  }
}
