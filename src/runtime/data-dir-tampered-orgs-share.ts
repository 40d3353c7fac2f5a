import { readFile } from 'node:fs/promises';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenedPath } from '../shared/opened-path';
import { PRIVATE_FILE_MODE } from '../shared/private-files';
import type { TamperedOrgsShare } from './tampered-orgs-share.port';

/** The file in DATA_DIR; a backup leaves it out (it belongs to the running deployment: the restored one's first check says anew). */
export const TAMPERED_ORGS_FILE = 'tampered-orgs.json';

/**
 * The last finding in a file of the DATA_DIR the deployment's processes share (one machine, no
 * Redis: the `api` processes beside the one that runs the roles). Written whole to a file beside it
 * and renamed over it, so that a reader finds the previous finding or the new one, never part of one.
 */
export class DataDirTamperedOrgsShare implements TamperedOrgsShare {
  private readonly path: string;
  private readonly dataDir: OpenedPath;

  constructor(dataDir: string) {
    this.dataDir = new OpenedPath(dataDir);
    this.path = join(dataDir, TAMPERED_ORGS_FILE);
  }

  // Synchronous (a few bytes, once a check): two writes never finish out of order. One process per
  // DATA_DIR checks (roles.lock), so one name for the partial file: one a crash left is overwritten.
  // A finding the file holds already (every check of a whole log) leaves it as it is: reading a few
  // bytes costs less than a new file and a rename in DATA_DIR at every check.
  // A DATA_DIR moved or replaced under the server gets no file: the write fails (a warning), and the
  // next finding is written once the folder is back.
  async write(value: string): Promise<void> {
    this.dataDir.assertSameFolder();
    if (this.holds(value)) return;
    const partial = `${this.path}.partial`;
    writeFileSync(partial, value, { mode: PRIVATE_FILE_MODE });
    renameSync(partial, this.path);
  }

  private holds(value: string): boolean {
    try {
      return readFileSync(this.path, 'utf8') === value;
    } catch {
      // Missing or unreadable: written anew, as before.
      return false;
    }
  }

  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
