import { closeSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { processRunning } from '../shared/process-running';
import { usageError } from './cli-error';
import { unreadable } from './export-file-ends';

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
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw usageError(`Cannot append to ${path}: ${(error as Error).message}. Nothing was written.`);
    throw usageError(held(target, lock));
  }
  try {
    writeSync(fd, `${process.pid} ${hostname()}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    return await write();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Who holds the lock, as far as its file says, and what to do if nobody does. */
function held(target: string, lock: string): string {
  let holder = '';
  try {
    holder = readFileSync(lock, 'utf8').trim();
  } catch {
    // Released meanwhile: still refused, as this run read the file while another wrote it.
  }
  const [pid, host] = holder.split(' ');
  if (host === hostname() && Number.isSafeInteger(Number(pid)) && !processRunning(Number(pid))) {
    return `The lock ${lock} was left by process ${pid}, which is no longer running: if no append is running, remove ${lock} and run again. Nothing was written.`;
  }
  return `another ztkeys audit export --append is writing ${target} (process ${pid || '?'} on ${host || '?'}). Nothing was written; if no append is running, remove ${lock}.`;
}
