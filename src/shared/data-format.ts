import type Database from 'better-sqlite3';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readSqliteAsFound } from './sqlite-read-as-found';
import { StartupError } from './startup-error';

/**
 * The format of the embedded stores this release writes, kept in each SQLite file of DATA_DIR as
 * its `PRAGMA user_version` (in the file itself: a backup's VACUUM INTO copies it, no loose file to
 * forget). 0 is a file from before the marker. A release whose change to a store's files an older
 * release would misread or miswrite raises it; its start upgrades the files and writes it.
 */
export const DATA_FORMAT = 1;

/** The start refused on a store a newer release wrote: both formats named, and the two ways on. */
function newerFormat(path: string, found: number): StartupError {
  return new StartupError(
    `${path} is in data format ${found}, written by a newer ztkeys; this release knows data format ${DATA_FORMAT} at most: run the newer release on it, or restore the backup taken before the upgrade`,
  );
}

/**
 * Checks an open store's format and marks it as this release's, in one IMMEDIATE transaction of
 * its own before anything else writes to it: a newer one is refused untouched; an older one (or a
 * new file) is raised to DATA_FORMAT. Processes opening it at once (the server beside a ROLES=api
 * process) take the write lock one after another, so the file ends with one value.
 */
export function markDataFormat(db: Database.Database): void {
  db.transaction(() => {
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > DATA_FORMAT) throw newerFormat(db.name, found);
    if (found < DATA_FORMAT) db.pragma(`user_version = ${DATA_FORMAT}`);
  }).immediate();
}

/**
 * Refuses, before a process writes anything in DATA_DIR (its lock, a secret, a store), a folder
 * whose stores a newer release wrote, leaving it as found (readSqliteAsFound). A file SQLite
 * cannot read is left to its store's open, which names it (damagedSqliteFile).
 */
export function refuseNewerDataDir(dataDir: string): void {
  // A first start's DATA_DIR may not be made yet (the email worker on Redis has none).
  if (!existsSync(dataDir)) return;
  for (const { name } of readdirSync(dataDir, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.sqlite'))) {
    const path = join(dataDir, name);
    if (statSync(path).size === 0) continue;
    const found = storedFormat(path);
    if (found !== undefined && found > DATA_FORMAT) throw newerFormat(path, found);
  }
}

/** A store file's format, or nothing when SQLite cannot read it. */
function storedFormat(path: string): number | undefined {
  return readSqliteAsFound(path, (db) => db.pragma('user_version', { simple: true }) as number);
}
