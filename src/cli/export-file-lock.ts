import { realpathSync, rmSync } from 'node:fs';
import { usageError } from './cli-error';
import { unreadable } from './export-file-ends';
import { lockHolder, tryLock } from './lock-file';

/**
 * Runs `write` while it holds FILE.lock, beside the file behind any symlink, created exclusively
 * (O_EXCL): two appends at once (a cron run overlapping the last) would both go on from the same
 * last line and write the new lines twice. The second is refused, not queued: the next run
 * catches up anyway. A lock left by a run that died is named, not taken over, as telling that
 * run from a slow one on another host sharing the file is not possible here.
 */
export async function withFileLock<T>(path: string, write: () => Promise<T>): Promise<T> {
  let target: string;
  try {
    target = realpathSync(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  const lock = `${target}.lock`;
  let locked: boolean;
  try {
    locked = tryLock(lock);
  } catch (error) {
    throw usageError(`Cannot append to ${path}: ${(error as Error).message}. Nothing was written.`);
  }
  if (!locked) throw usageError(held(target, lock));
  try {
    return await write();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Who holds the lock, as far as its file says (released meanwhile: still refused, as this run found it held), and what to do if nobody does. */
function held(target: string, lock: string): string {
  const holder = lockHolder(lock);
  if (holder?.gone) {
    return `The lock ${lock} was left by process ${holder.pid}, which is no longer running: if no append is running, remove ${lock} and run again. Nothing was written.`;
  }
  return `another ztkeys audit export --append is writing ${target} (process ${holder?.pid || '?'} on ${holder?.host || '?'}). Nothing was written; if no append is running, remove ${lock}.`;
}
