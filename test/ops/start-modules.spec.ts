import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv } from '../support/embedded-env';
import { runWithin } from '../support/run-within';

const ROOT = join(__dirname, '..', '..');
const NETWORKED_DRIVERS = ['mongodb', '@kurrent/kurrentdb-client', '@grpc/grpc-js', 'bullmq', 'ioredis'];

/** The modules a process of the built code loaded, as the preload recorded them on exit. */
function loadedBy(args: string[], env: Record<string, string>): { status: number | null; stderr: string; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-start-modules-'));
  try {
    const out = join(dir, 'loaded.json');
    const run = runWithin(
      [process.execPath, '--require', join(__dirname, 'fixtures', 'loaded-modules.js'), ...args],
      { cwd: ROOT, env: { ...embeddedEnv({ DATA_DIR: join(dir, 'data'), ...env }), LOADED_MODULES_OUT: out }, encoding: 'utf8' },
      30_000,
    );
    return { status: run.status, stderr: run.stderr, modules: JSON.parse(readFileSync(out, 'utf8')) as string[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fromPackage = (modules: string[], name: string) => modules.some((path) => path.includes(`/node_modules/${name}/`));

describe('what the built server loads before it serves', () => {
  it('loads no networked store\'s driver on the embedded default (each is required only where its URL is set)', () => {
    // Everything the start imports, without starting: the server's module graph as main.js loads it.
    const { status, stderr, modules } = loadedBy(['-e', "require('./dist/src/serve')"], {});
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(modules.some((path) => path.endsWith(join('dist', 'src', 'create-http-app.js')))).toBe(true);
    expect(NETWORKED_DRIVERS.filter((name) => fromPackage(modules, name))).toEqual([]);
  });

  it('refuses a bad configuration before loading the rest of the server (no Nest app, no store)', () => {
    const { status, modules } = loadedBy([join('dist', 'src', 'main.js')], { PORT: 'eighty' });
    expect(status).toBe(1);
    expect(modules.filter((path) => /dist\/src\/(serve|create-http-app|runtime\/build-runtime)\.js$/.test(path))).toEqual([]);
    expect(fromPackage(modules, '@nestjs/core')).toBe(false);
  });
});
