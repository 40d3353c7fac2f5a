import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createPrivateFileWith } from './private-files';
import { processRunning } from './process-running';

/**
 * Takes the lock file at `path` for this process: created holding its pid or, when it holds the
 * pid of no process of this user's that runs (one that died, kill -9, its pid maybe reused by
 * another user's since), taken over. The file lies in a folder only this user writes in. Returns
 * the release, or the pid of the running process that holds the lock.
 */
export function takePidLock(path: string): { release: () => void } | { heldBy: number } {
  for (;;) {
    if (createPrivateFileWith(path, `${process.pid}\n`)) {
      return {
        release: () => {
          // Gone with its folder (moved or removed meanwhile): nothing of this process's to remove.
          const owner = existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
          if (owner === String(process.pid)) rmSync(path, { force: true });
        },
      };
    }
    const owner = Number(readFileSync(path, 'utf8').trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processRunning(owner, true)) return { heldBy: owner };
    rmSync(path, { force: true });
  }
}
