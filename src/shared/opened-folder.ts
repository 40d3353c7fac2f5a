import { statSync } from 'node:fs';

/**
 * A folder as this process first found it (DATA_DIR): what its path must still lead to before a
 * file is written there by path. Moved, removed or replaced under the running server (an
 * operator's mv, a restore not finished yet), the path leads elsewhere: a file written there
 * would be a stray in a folder that is not the server's, which an operator then restores over.
 */
export class OpenedFolder {
  private identity: { dev: number; ino: number } | undefined;

  constructor(readonly path: string) {
    this.identity = this.current();
  }

  /**
   * Throws, naming the folder and what to do, when the path no longer leads to the folder first
   * found there (when there was none at first: the first one found since).
   */
  assertSame(): void {
    const current = this.current();
    const opened = (this.identity ??= current);
    if (current && opened && current.dev === opened.dev && current.ino === opened.ino) return;
    throw new Error(`${this.path} is not the folder this server opened (it was moved, removed or replaced while the server runs): put the folder back, or restart the server`);
  }

  private current(): { dev: number; ino: number } | undefined {
    const stat = statSync(this.path, { throwIfNoEntry: false });
    return stat && { dev: stat.dev, ino: stat.ino };
  }
}
