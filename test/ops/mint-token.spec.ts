import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv } from '../support/embedded-env';
import { ROOT } from './support/server-process';

/** `npm run token -- ...` (the built tool): a wrong call gets its usage and a non-zero exit, never a stack. */
describe('npm run token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-token-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'dist/src/tools/mint-token.js'), ...args], { env: embeddedEnv({ DATA_DIR: dataDir }), encoding: 'utf8' });

  it.each([[['--help']], [['--bogus']], [['--org', 'acme', '--agent', 'alice', '--ttl', '-5']], [['--org', 'acme', '--agent', 'alice', '--ttl=-5']], [['--org', 'acme']]])(
    '%j prints the usage and exits 2',
    (args) => {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('usage: npm run token -- --org <orgId> --agent <agentId>');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    },
  );

  it('prints a token for a valid call', () => {
    const result = run('--org', 'acme', '--agent', 'alice', '--ttl', '60');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });
});
