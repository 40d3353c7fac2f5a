import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../shared/private-files';
import { processRunning } from '../shared/process-running';
import { StartupError } from '../shared/startup-error';

/** The lock's file in DATA_DIR; a backup leaves it out (it belongs to the running process, not to the data). */
export const DATA_DIR_LOCK = 'roles.lock';

/**
 * Takes DATA_DIR for the roles one machine runs once (projector, notifier, worker): a second
 * server on the same folder would project, sign checkpoints and plan emails beside the first.
 * The lock file holds the owner's pid; one left by a process that died (kill -9) is taken over,
 * also when another user's process holds that pid since.
 * Returns the release, for a graceful stop.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, DATA_DIR_LOCK);
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      return () => {
        // Gone with its folder (DATA_DIR moved or removed while the server ran): nothing of this process's to remove.
        const owner = existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
        if (owner === String(process.pid)) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(path, 'utf8').trim());
    // DATA_DIR is this user's alone (prepareDataDir): another user's process holding the pid reused it after a kill -9.
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processRunning(owner, true)) {
      throw new StartupError(
        `DATA_DIR ${dataDir} is in use by another ztkeys process (pid ${owner}): stop it, or start this one with ROLES=api (or WORKERS to serve from more processes)`,
      );
    }
    rmSync(path, { force: true });
  }
}
