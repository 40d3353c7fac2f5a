import { randomBytes } from 'node:crypto';
import { chmodSync, openSync, closeSync, renameSync, rmSync, writeSync, fsyncSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../shared/private-files';
import { usageError } from './cli-error';

/**
 * Writes a file with mode 0600 from its first byte on (never briefly world-readable), through a
 * temporary file and a rename, so a crash or a concurrent reader never sees half a file.
 */
export function writePrivateFile(path: string, content: string): void {
  try {
    writeThroughRename(path, content);
  } catch (error) {
    // A folder ztkeys cannot write (a file in the way, no permission, read-only) is the user's to fix, not a bug.
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
  const fd = openSync(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  chmodSync(temporary, PRIVATE_FILE_MODE); // the umask may have cleared bits we asked for, never added any
  renameSync(temporary, path);
}
