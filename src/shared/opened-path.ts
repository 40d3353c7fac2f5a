import { statSync } from 'node:fs';

/**
 * A file or folder as this process first found it (its device and inode): what its path must
 * still lead to before the process writes there. Moved, removed or replaced under the running
 * server (an operator's mv of DATA_DIR, a restore not finished yet), the path leads elsewhere: a
 * write by path would land in what an operator then restores over, and a write through a file
 * opened before would be acknowledged, then lost (no path leads to it).
 */
export class OpenedPath {
  private identity: { dev: number; ino: number } | undefined;

  constructor(readonly path: string) {
    this.identity = this.current();
  }

  /** Whether the path still leads to what was first found there (when there was nothing at first: to the first thing found since). */
  leadsToOpened(): boolean {
    const current = this.current();
    const opened = (this.identity ??= current);
    return current !== undefined && opened !== undefined && current.dev === opened.dev && current.ino === opened.ino;
  }

  /** Throws, naming the folder and what to do, when the path no longer leads to the folder first found there. */
  assertSameFolder(): void {
    if (this.leadsToOpened()) return;
    throw new Error(`${this.path} is not the folder this server opened (it was moved, removed or replaced while the server runs): put the folder back, or restart the server`);
  }

  private current(): { dev: number; ino: number } | undefined {
    const stat = statSync(this.path, { throwIfNoEntry: false });
    return stat && { dev: stat.dev, ino: stat.ino };
  }
}
