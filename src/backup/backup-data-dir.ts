import Database from 'better-sqlite3';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { DATA_DIR_LOCK } from '../runtime/data-dir-lock';
import { TAMPERED_ORGS_FILE } from '../runtime/data-dir-tampered-orgs-share';
import { REBUILD_LOCK } from '../read-models/rebuild-lock';
import { takePidLock } from '../shared/pid-lock';
import { createPrivateFile, makePrivateDir, narrowModes, PRIVATE_DIR_MODE } from '../shared/private-files';
import { refuseNewerDataDir } from '../shared/data-format';
import { onDataDir } from '../config/data-dir';
import { damagedSqliteFile } from '../shared/sqlite-file';
import { isStorageFault } from '../shared/sqlite-write-faults';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * The embedded stores in the order they are copied: what is derived from the log (read models,
 * the Merkle nodes, the email queue and the notifier's checkpoint) before the log itself. Each copy is one
 * snapshot, so a derived store's checkpoint in the backup is never past the log's head in it:
 * after a restore every consumer only catches up.
 */
export const EMBEDDED_STORES = ['read-models.sqlite', 'merkle-nodes.sqlite', 'email.sqlite', 'events.sqlite'] as const;

/** Files that are neither stores nor their WAL companions: secrets and the outbox. */
const isStoreFile = (name: string): boolean => /\.sqlite(-wal|-shm|-journal)?$/.test(name);

/** What belongs to the running processes, not to the data: the roles' lock and the last finding of the self-check (and its partial write). */
const isRunningState = (name: string): boolean => name === DATA_DIR_LOCK || name === REBUILD_LOCK || name.startsWith(TAMPERED_ORGS_FILE);

/** `path` with every link on it resolved; what does not exist yet of it, as written. */
function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(absolute) === absolute) throw error;
    return join(realPath(dirname(absolute)), basename(absolute));
  }
}

/** Bytes of the stores copied so far, of `total`; called before the first store and after each. */
export type BackupProgress = (done: number, total: number) => void;

export interface BackupResult {
  stores: string[];
  files: string[];
}

/**
 * Copies a running deployment's DATA_DIR into `target` (which must not exist yet or be empty; made whole or not at all):
 * each SQLite store with `VACUUM INTO`, one read transaction that sees one committed state
 * while writers go on (WAL), then the secrets and the outbox.
 */
export function backupDataDir(dataDir: string, target: string, onProgress?: BackupProgress): BackupResult {
  // A copy of a newer release's folder would be one this release restores and then refuses to serve.
  refuseNewerDataDir(dataDir);
  // A link would be found empty and then not renamed over, the whole copy made for nothing.
  if (lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) throw new Error(`${target} is a link: give the folder it names, ${resolve(dirname(target), readlinkSync(target))}`);
  refuseUnlessEmpty(target);
  // Inside DATA_DIR the copy would copy itself, and each later backup every earlier one.
  // Compared with every link on either path resolved: a link to DATA_DIR (or to a folder in it) leads inside too.
  const within = relative(realPath(dataDir), realPath(target));
  if (!within.startsWith('..') && !isAbsolute(within)) throw new Error(`${target} is inside DATA_DIR ${dataDir}: back up to a folder outside it`);
  // A second backup into the same folder would remove the first's copy under way and write its own
  // there, and the first then rename a mix of both to the folder: one at a time, held beside it.
  const parent = dirname(resolve(target));
  makePrivateDir(parent);
  refuseSharedNames(parent, [resolve(target), `${resolve(target)}.lock`, `${resolve(target)}.incomplete`]);
  const lock = takePidLock(`${resolve(target)}.lock`);
  if ('heldBy' in lock) throw new Error(`another backup (pid ${lock.heldBy}) is writing ${target}: let it finish, or give another folder`);
  try {
    // A backup that held the lock until now may have filled it.
    refuseUnlessEmpty(target);
    return copyInto(dataDir, target, onProgress);
  } finally {
    lock.release();
  }
}

/**
 * The folder the backup is made in must keep it as made. One every user may write in without the
 * sticky bit lets any of them rename the backup away and put their own in its place (secrets they
 * know, restored later). With the sticky bit (/tmp) only the owner of a name removes it: one that
 * another user took (the folder, its lock, its copy under way) is said as such, not as the EPERM or
 * ENOTDIR of the removal that fails. Root removes what it must, as before.
 */
function refuseSharedNames(parent: string, names: string[]): void {
  const { mode } = statSync(parent);
  if (mode & 0o002 && !(mode & 0o1000)) {
    throw new Error(
      `${parent} is writable by every user (mode ${(mode & 0o777).toString(8)}) without the sticky bit: any of them could rename the backup away and put one of their own (with secrets they know) in its place; give a folder in a folder only you write in, or chmod o-w ${parent}`,
    );
  }
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return;
  for (const name of names) {
    const owner = lstatSync(name, { throwIfNoEntry: false })?.uid;
    if (owner === undefined || owner === uid) continue;
    const why = mode & 0o1000 ? `${parent} lets only its owner remove it` : 'who may be using it';
    throw new Error(`${name} belongs to another user (uid ${owner}), and ${why}: give another folder, in a folder only you write in`);
  }
}

function refuseUnlessEmpty(target: string): void {
  const existing = statSync(target, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) throw new Error(`${target} is a file, not a folder: give a new or empty folder`);
  if (existing && readdirSync(target).length > 0) throw new Error(`${target} is not empty: give a new or empty folder`);
}

/**
 * A first read of a store, before its copy is begun: a storage fault then is DATA_DIR's (on a full
 * disk SQLite cannot map the store's -shm), said as the server says it, not the backup folder's.
 */
function readSource(db: Database.Database, dataDir: string): void {
  onDataDir(dataDir, () => db.pragma('schema_version'));
}

function copyInto(dataDir: string, target: string, onProgress?: BackupProgress): BackupResult {
  // The copy is made beside the target and renamed to it once whole: a backup cut short (Ctrl-C, a
  // timeout) leaves only `<target>.incomplete`, never a folder that a restore could take for a backup.
  const partial = `${resolve(target)}.incomplete`;
  // A leftover of a run cut short goes (a link as a link: rm follows none).
  rmSync(partial, { recursive: true, force: true });
  // What DATA_DIR holds (names, emails, the log, secrets) stays the service user's only in its copy: made
  // here, 0700, or refused. mkdir without `recursive` fails on anything at the name, a link included, so
  // one planted since the removal (by whoever can write beside the target) is never written through.
  try {
    mkdirSync(partial, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new Error(`${partial} appeared while the backup started (another backup, or someone who can write in ${dirname(partial)}): nothing copied; see what it is, remove it and run again`);
  }
  const present = EMBEDDED_STORES.filter((name) => existsSync(join(dataDir, name)));
  // A store's size with its WAL is what VACUUM INTO reads: progress goes by these bytes, store by store.
  const sizes = present.map((name) => [name, `${name}-wal`].reduce((sum, file) => sum + (existsSync(join(dataDir, file)) ? statSync(join(dataDir, file)).size : 0), 0));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let done = 0;
  onProgress?.(done, total);
  const stores: string[] = [];
  present.forEach((name, i) => {
    const db = new Database(join(dataDir, name), { readonly: true, timeout: 10_000 });
    try {
      readSource(db, dataDir);
      // VACUUM INTO fills an empty file as it is: created 0600 first, the copy is never readable by others.
      createPrivateFile(join(partial, name));
      db.prepare('VACUUM INTO ?').run(join(partial, name));
    } catch (error) {
      // Nothing of a copy that cannot be made whole is kept. SQLite's "file is not a database" names no file: which store it is.
      rmSync(partial, { recursive: true, force: true });
      // DATA_DIR's own faults were said by readSource: one now is the backup folder's volume.
      if (isStorageFault(error)) throw new Error(`${target} cannot take the copy of ${name} (${(error as Error).message}): its file system is full or failing; free space there (df ${dirname(partial)}) or give another folder. Nothing was kept`);
      throw damagedSqliteFile(join(dataDir, name), error) ?? error;
    } finally {
      db.close();
    }
    stores.push(name);
    done += sizes[i];
    onProgress?.(done, total);
  });
  const files = readdirSync(dataDir).filter((name) => !isStoreFile(name) && !isRunningState(name));
  for (const name of files) {
    const source = join(dataDir, name);
    // A secret kept as a link to a file elsewhere (a mounted secret) is copied as its bytes: a link
    // in a backup leads nowhere once that file is gone, which is what a restore is for.
    cpSync(source, join(partial, name), { recursive: statSync(source).isDirectory(), preserveTimestamps: true, dereference: true });
  }
  // The service user's only, as the stores' copies, whatever modes DATA_DIR held.
  narrowModes(partial);
  try {
    // Onto an empty target folder too: rename replaces an empty directory.
    renameSync(partial, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new Error(`${target} was written in while the backup was made (another process): the whole backup is in ${partial}; see what ${target} holds, then move the backup there or run again`);
  }
  return { stores, files };
}
