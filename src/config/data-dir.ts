import { accessSync, constants } from 'node:fs';
import { makePrivateDir } from '../shared/private-files';
import { ConfigError } from './environment';

/** What an operator can do about a file-system error on DATA_DIR. */
function why(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'it, or a folder on its path, is a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied to the user running ztkeys';
    case 'EROFS':
      return 'its file system is read-only';
    case 'ENOENT':
      // mkdir under a folder that exists: a virtual file system (/proc) holds no folders of ours.
      return 'a folder on its path cannot hold new folders';
    default:
      return error.message;
  }
}

/**
 * Creates DATA_DIR (mode 0700) and checks that this process may write there, before anything
 * opens a store or a secret in it: a wrong path names the variable instead of a stack from deep inside.
 */
export function prepareDataDir(dir: string): void {
  try {
    makePrivateDir(dir);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new ConfigError(`DATA_DIR ${dir} cannot be used: ${why(error as NodeJS.ErrnoException)}`);
  }
}
