import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { usageError } from './cli-error';

const WRITABLE_BY_OTHERS = 0o022;
/** A folder such as /tmp: others may add entries to it, but remove or rename only their own. */
const STICKY = 0o1000;

/**
 * Refuses (exit 2) a ZTKEYS_HOME another user could change, as ssh refuses such a ~/.ssh: a home
 * folder, or a folder above it or a link on the way, that belongs to another user than this one
 * and root, or that others may write (a folder above it may be sticky, as /tmp is). Whoever can
 * write there can delete or swap the key files and the index (locking the agent out of their
 * key), replace profiles.json, or plant a link where ztkeys writes or narrows modes.
 * Both the path as given and the real one are checked: a link may lead elsewhere.
 */
export function checkNoOtherWriters(home: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return; // no POSIX owners (Windows)
  const given = resolve(home);
  const real = realPathOf(given);
  for (const path of [given, real])
    for (let folder = path, isHome = true; ; isHome = false, folder = dirname(folder)) {
      const problem = problemOf(folder, uid, isHome);
      if (problem)
        throw usageError(
          `${folder} ${problem}: they could delete or replace your profiles and keys, or plant links there. Use a folder only you can write (the default is ~/.config/ztkeys).`,
        );
      if (dirname(folder) === folder) break;
    }
}

function problemOf(path: string, uid: number, isHome: boolean): string | undefined {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return undefined; // to be made by ztkeys, mode 0700
  if (stat.uid !== uid && stat.uid !== 0) return `belongs to another user (uid ${stat.uid})`;
  if (stat.isSymbolicLink() || (stat.mode & WRITABLE_BY_OTHERS) === 0) return undefined;
  // Entries others add to the home itself (a keys folder of theirs) would be used as ztkeys's own.
  if (!isHome && stat.mode & STICKY) return undefined;
  return `can be written by other users (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')})`;
}

/** The real path of `path`, through its nearest folder that exists. */
function realPathOf(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPathOf(parent), basename(path));
}
