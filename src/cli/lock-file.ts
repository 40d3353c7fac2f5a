import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processRunning } from '../shared/process-running';

/** Who holds a lock file, as its one line says. */
export interface LockHolder {
  pid: string;
  host: string;
  /** The line as read: a lock taken over is removed only if it still says the same. */
  line: string;
  /** A process of this host that no longer runs: it died holding the lock. */
  gone: boolean;
}

/**
 * Creates `lock` exclusively (O_EXCL, mode 0600) with a line naming this process and host: false
 * when it exists (another run holds it). Other failures (no permission, no room) are thrown.
 */
export function tryLock(lock: string): boolean {
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeFileSync(fd, `${process.pid} ${hostname()}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder `lock` names; undefined when it cannot be read (released meanwhile). */
export function lockHolder(lock: string): LockHolder | undefined {
  let line: string;
  try {
    line = readFileSync(lock, 'utf8');
  } catch {
    return undefined;
  }
  const [pid = '', host = ''] = line.trim().split(' ');
  return { pid, host, line, gone: host === hostname() && Number.isSafeInteger(Number(pid)) && !processRunning(Number(pid)) };
}
