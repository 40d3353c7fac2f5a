import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The version in ztkeys' package.json, found upwards from this file (src/cli in the repo, dist/src/cli when built). */
export function cliVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === 'ztkeys' && manifest.version) return manifest.version;
  }
  return 'unknown';
}
