#!/usr/bin/env node
/**
 * `npm start` runs this before the server: it builds only when dist is missing or older than a
 * source it is compiled from, so that a second start takes a second, not a full build. The build's
 * output goes to stderr: stdout stays the server's JSON log.
 */
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const SOURCES = ['src', 'projections', 'console', 'bench', 'test/support', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
const BUILT = join(root, 'dist', 'src', 'main.js');

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

const built = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const changed = Math.max(...SOURCES.map((source) => newest(join(root, source))));
if (built > changed) process.exit(0);
process.stderr.write(built === 0 ? 'no build yet: building\n' : 'sources changed since the last build: building\n');
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
process.exit(build.status ?? 1);
