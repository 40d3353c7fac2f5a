import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv } from '../support/embedded-env';
import { runWithin } from '../support/run-within';
import { ROOT } from './support/server-process';

/** `npm run token -- ...` (the built tool): a wrong call gets its usage and a non-zero exit, never a stack. */
describe('npm run token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-token-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    runWithin([process.execPath, join(ROOT, 'dist/src/tools/mint-token.js'), ...args], { env: embeddedEnv({ DATA_DIR: dataDir }), encoding: 'utf8' }, 20_000);

  it.each([[['--bogus']], [['--', '--help']], [['stray', '--org', 'acme', '--agent', 'alice']], [['--org', 'acme', '--agent', 'alice', '--ttl', '-5']], [['--org', 'acme', '--agent', 'alice', '--ttl=-5']], [['--org', 'acme']]])(
    '%j prints the usage and exits 2',
    (args) => {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('usage: npm run token -- --org <orgId> --agent <agentId>');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    },
  );

  it.each([[['--org', 'acme', '--org', 'other', '--agent', 'alice']], [['--org', 'acme', '--agent', 'alice', '--agent=mallory']], [['--org', 'acme', '--agent', 'alice', '--ttl', '60', '--ttl', '86400']]])(
    '%j: an option given twice is a usage error naming it (parseArgs would keep the last value silently)',
    (args) => {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^--(org|agent|ttl) is given more than once: it takes one value\.\nusage: npm run token -- /);
    },
  );

  it("refuses a DATA_DIR that holds no server's secret, naming it and creating nothing: the server would refuse a token signed with a new one", () => {
    const result = run('--org', 'acme', '--agent', 'alice');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `DATA_DIR ${dataDir} holds no jwt-secret: start the server first (it generates one), or run this with the server's DATA_DIR or JWT_SECRET.\n`,
    );
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('prints a token for a valid call', () => {
    writeFileSync(join(dataDir, 'jwt-secret'), `${'s'.repeat(43)}\n`, { mode: 0o600 });
    const result = run('--org', 'acme', '--agent', 'alice', '--ttl', '60');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });
});
