import { join } from 'node:path';
import { takePidLock } from '../shared/pid-lock';
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
  const lock = takePidLock(join(dataDir, DATA_DIR_LOCK));
  // DATA_DIR is this user's alone (prepareDataDir): another user's process holding the pid reused it after a kill -9.
  if ('heldBy' in lock) {
    throw new StartupError(
      `DATA_DIR ${dataDir} is in use by another ztkeys process (pid ${lock.heldBy}): stop it, or start this one with ROLES=api (or WORKERS to serve from more processes)`,
    );
  }
  return lock.release;
}
