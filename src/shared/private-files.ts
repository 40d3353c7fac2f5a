import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** DATA_DIR and what it holds (names, emails, codes, keys, secrets) are for the service's user only. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates a folder (and its parents) readable by the owner only; an existing one keeps its mode. */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `path` empty with mode 0600 unless it exists: SQLite then gives its -wal and -shm files the same mode. */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/**
 * At start: narrows `dir` to 0700 and every folder below it to 0700, every file to 0600, and
 * returns what it had to change (to warn the operator: they were readable by others until now).
 */
export function narrowModes(dir: string): string[] {
  makePrivateDir(dir);
  const changed: string[] = [];
  const narrow = (path: string, mode: number): void => {
    if ((statSync(path).mode & 0o777) === mode) return;
    chmodSync(path, mode);
    changed.push(path);
  };
  narrow(dir, PRIVATE_DIR_MODE);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) narrow(path, PRIVATE_DIR_MODE);
    else if (entry.isFile()) narrow(path, PRIVATE_FILE_MODE);
  }
  return changed;
}
