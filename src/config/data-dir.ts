import { accessSync, constants, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { foldersAndFiles, makePrivateDir } from '../shared/private-files';
import { ConfigError } from './config-error';

/** What an operator can do about a file-system error on DATA_DIR. */
function why(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'it, or a folder on its path, is a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied to the user running ztkeys';
    case 'EROFS':
      return 'its file system is read-only';
    case 'ENOENT':
      // mkdir under a folder that exists: a virtual file system (/proc) holds no folders of ours.
      return 'a folder on its path cannot hold new folders';
    default:
      return error.message;
  }
}

/**
 * What in DATA_DIR belongs to another user (a start as root left it there): this process could
 * not narrow its mode, and often not read it. Root may use anything; Windows has no uids.
 */
function ownedByAnother(dir: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return undefined;
  for (const { path } of foldersAndFiles(dir)) {
    const owner = statSync(path).uid;
    if (owner !== uid) return `${path} belongs to another user (uid ${owner}), not to the user running ztkeys (uid ${uid}): chown -R ${uid} ${dir}`;
  }
  return linkOfAnother(dir, uid);
}

/**
 * A link in DATA_DIR that another user made while the folder was open to others: its target is
 * theirs to choose (a bootstrap token they know, an outbox they read), and narrowing modes leaves
 * it as it is. Root's links are the machine's own.
 */
function linkOfAnother(dir: string, uid: number): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    const owner = lstatSync(path).uid;
    if (owner !== uid && owner !== 0) return `${path} is a link made by another user (uid ${owner}), who chooses what it leads to: remove it (if you made it: chown -h ${uid} ${path})`;
  }
  return undefined;
}

/** What a process of ztkeys makes in its data folder: true for the names of its stores (and their SQLite companions), secrets, keys, lock and outbox. */
export type OwnEntry = (name: string) => boolean;

/** DATA_DIR: the embedded stores, the generated secrets and log key, the roles' and a rebuild's locks, the self-check's finding (and its partial write), the outbox. */
export const serverEntry: OwnEntry = (name) =>
  /^(events|read-models|merkle-nodes|email)\.sqlite(-wal|-shm|-journal)?$/.test(name) ||
  ['jwt-secret', 'bootstrap-token', 'challenge-secret', 'log-signing-key', 'roles.lock', 'rebuild.lock', 'outbox'].includes(name) ||
  name.startsWith('tampered-orgs.json');

/** WITNESS_DATA_DIR: the witness's store and its generated key. */
export const witnessEntry: OwnEntry = (name) => /^witness\.sqlite(-wal|-shm|-journal)?$/.test(name) || name === 'witness-signing-key';

/**
 * A folder in use for something else (a home, a web root: a mistyped path): it holds what ztkeys
 * does not make and nothing it does. Taken, its files were narrowed to 0600 and a new deployment
 * started among them. Hidden files and a volume's lost+found are no sign of either.
 */
function anotherFolder(dir: string, own: OwnEntry): string | undefined {
  const names = readdirSync(dir).filter((name) => !name.startsWith('.') && name !== 'lost+found');
  if (names.length === 0 || names.some(own)) return undefined;
  const shown = names.sort().slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '');
  return `it holds what ztkeys did not make (${shown}) and none of its stores or secrets: a mistyped path? Give ztkeys a new or empty folder of its own`;
}

/**
 * An entry of a kind ztkeys never makes (a FIFO, a socket, a device), as one made while the folder
 * was open to others: a FIFO at a secret's name held the start reading it until someone wrote
 * into it, and what they wrote became the secret.
 */
function neitherFileNorFolder(dir: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() || entry.isDirectory() || entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    return `${path} is neither a file nor a folder (a FIFO, a socket or a device), which ztkeys never makes; whoever can write into a FIFO chooses what a read of it returns: remove it`;
  }
  return undefined;
}

/** The one folder ztkeys makes in its data folder (the .eml files written without SMTP_URL); each other name of its own is a file. */
const OWN_FOLDERS = ['outbox'];

/**
 * A folder (or a link to one) at the name of a store or secret, as a `mkdir` mistyped or a volume
 * mounted at the wrong path leaves: opening it ended the start in an EISDIR stack.
 */
function folderAtFileName(dir: string, own: OwnEntry): string | undefined {
  for (const name of readdirSync(dir)) {
    if (!own(name) || OWN_FOLDERS.includes(name)) continue;
    const path = join(dir, name);
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) return `${path} is a folder where ztkeys keeps a file of that name: remove it or move it away`;
  }
  return undefined;
}

/** What keeps `dir` from being this process's data folder (see prepareDataDir), once it exists; nothing when it can be used. */
function unusable(dir: string, own: OwnEntry): string | undefined {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return anotherFolder(dir, own) ?? neitherFileNorFolder(dir) ?? folderAtFileName(dir, own) ?? ownedByAnother(dir);
  } catch (error) {
    return why(error as NodeJS.ErrnoException);
  }
}

/**
 * Creates DATA_DIR (mode 0700) and checks that it is ztkeys' folder, that this process may write
 * there and owns what it holds, before anything opens a store or a secret in it: a wrong path
 * names the variable instead of a stack from deep inside.
 */
export function prepareDataDir(dir: string, own: OwnEntry, variable = 'DATA_DIR'): void {
  let problem: string | undefined;
  try {
    makePrivateDir(dir);
  } catch (error) {
    problem = why(error as NodeJS.ErrnoException);
  }
  problem ??= unusable(dir, own);
  if (problem) throw new ConfigError(`${variable} ${dir} cannot be used: ${problem}`);
}

/**
 * The same checks for the tools run on the DATA_DIR a server made (npm run backup,
 * projections:rebuild, emails, worker), before they open anything in it: a folder at a store's
 * name ended them in EISDIR or a stack, a FIFO held them for ever. A folder that is not there is
 * not made: each tool says what it misses (no event log, no email queue) and creates nothing.
 */
export function checkServerDataDir(dir: string): void {
  if (!existsSync(dir)) return;
  const problem = unusable(dir, serverEntry);
  if (problem) throw new ConfigError(`DATA_DIR ${dir} cannot be used: ${problem}`);
}

/**
 * A write in DATA_DIR that failed at start for want of space, or with an I/O error (what SQLite
 * says of a write a full disk cut short): one line saying so and what to do, where it was the
 * stack of whichever write came first (the roles' lock, a secret, the event log's first page).
 */
export function storageFaultAtStart(error: unknown, dir: string, variable = 'DATA_DIR'): ConfigError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  const reason = (error as Error).message;
  const full = code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_FULL');
  if (!full && code !== 'EIO' && !code.startsWith('SQLITE_IOERR')) return undefined;
  const state = full ? 'full' : 'failing or full';
  return new ConfigError(`${variable} ${dir} cannot be used: its file system is ${state} (${reason}): free space there (df ${dir})${full ? '' : ' or see the system log'}, then start again`);
}

/** Runs `work` on the folder, its storage fault (a full disk) said as storageFaultAtStart says it. */
export function onDataDir<T>(dir: string, work: () => T, variable = 'DATA_DIR'): T {
  try {
    return work();
  } catch (error) {
    throw storageFaultAtStart(error, dir, variable) ?? error;
  }
}
