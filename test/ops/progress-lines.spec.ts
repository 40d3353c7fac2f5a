import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../support/api-client';
import { embeddedEnv } from '../support/embedded-env';
import { WatchedChild } from '../support/watched-child';
import { serverForSuite } from '../support/server-for-suite';

const REGISTER_TS = join(__dirname, '../../scripts/register-ts.js');

/** A tool's main as its own process with stdout piped (not a terminal): what it prints. */
async function runMain(main: string, args: string[], env: Record<string, string>): Promise<string> {
  const child = fork(join(__dirname, '../../src', main), args, {
    execArgv: ['--require', REGISTER_TS],
    env: embeddedEnv({ LOG_LEVEL: 'silent', ...env }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const run = new WatchedChild(child, main);
  const { code } = await run.endWithin(30_000);
  if (code !== 0) throw new Error(`${main} exited ${code}: ${run.output}`);
  return run.output;
}

/** projections:rebuild and backup print plain progress lines (total, percentage) when stdout is not a terminal. */
describe('progress of rebuild and backup, not on a terminal', () => {
  const suite = serverForSuite();
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-progress-'));
  beforeAll(async () => {
    const created = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, {
      name: 'Acme',
      superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' },
    });
    expect(created.status).toBe(201);
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('projections:rebuild: the head position as total, 0% first, 100% when caught up, then the switch', async () => {
    const output = await runMain('read-models/rebuild.main.ts', ['org-status'], { DATA_DIR: suite.server.dataDir, REBUILD_GRACE_MS: '0' });
    const lines = output.trimEnd().split('\n');
    const total = /^org-status: 0\/(\d+) positions \(0%\)$/.exec(lines[0])?.[1];
    expect(total).toBeDefined();
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^org-status: ${total}/${total} positions \\(100%\\) in \\d+s$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^org-status: generation \d+ is active; generation \d+ is dropped in 0 s/));
    expect(output).not.toMatch(/\r|\x1b\[/);
  }, 60_000);

  it('backup: bytes of the stores as total, a line per store, 100% at the end', async () => {
    const output = await runMain('backup/backup.main.ts', [join(work, 'copy')], { DATA_DIR: suite.server.dataDir });
    const lines = output.trimEnd().split('\n');
    // The first progress line says 0% of the total (a log line of the stores may come before it).
    const total = lines.map((line) => /^backup: 0\/(\d+) bytes \(0%\)$/.exec(line)?.[1]).find((found) => found !== undefined);
    expect(Number(total)).toBeGreaterThan(0);
    expect(lines.filter((line) => /^backup: \d+\/\d+ bytes \(\d+%\)/.test(line)).length).toBeGreaterThanOrEqual(4);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^backup: ${total}/${total} bytes \\(100%\\) in \\d+s$`)));
    expect(lines.at(-1)).toMatch(/^backed up read-models\.sqlite, merkle-nodes\.sqlite, email\.sqlite, events\.sqlite/);
  }, 60_000);
});
