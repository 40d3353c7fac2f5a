/**
 * True while a process of that id runs on this machine (EPERM: it runs, as another user); with
 * `ofThisUser`, only one of this user's (or any, for root): what wrote a file in a folder only
 * this user may write, where another user's process holding that pid is a reuse, not the writer.
 */
export function processRunning(pid: number, ofThisUser = false): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !ofThisUser && (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
