import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { serverForSuite } from '../support/server-for-suite';
import { CLI_BUILT, runProcess } from './support/cli-process';

/**
 * The operator's commands sign in with the bootstrap token, not with an agent token: a token the
 * server does not take there is the wrong bootstrap token, which no login replaces. It was exit 8
 * "the agent token expired ... Get a new agent token and log in again", which sent the operator
 * of a locked-out org (recovery start) after an agent token that org no longer gives anyone.
 */
describe('a bootstrap token the server does not take (built CLI, real server)', () => {
  const suite = serverForSuite();
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-bootstrap-refused-'));
    writeFileSync(join(home, 'bootstrap.token'), 'not-the-bootstrap-token-of-this-server\n', { mode: 0o600 });
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const ztkeys = (args: string[]) =>
    runProcess(CLI_BUILT, [...args, '--api', suite.server.url, '--bootstrap-token-file', join(home, 'bootstrap.token')], { env: { PATH: process.env.PATH, ZTKEYS_HOME: home } });

  it.each([
    ['org create', ['org', 'create', '--name', 'Acme', '--admin-id', 'alice', '--admin-email', 'alice@example.com', '--admin-name', 'Alice']],
    ['recovery start', ['recovery', 'start', '--org', '01a24195-3837-737f-80b7-429d2b57d635', '--agent', 'alice']],
  ])('%s: exit 3 saying the bootstrap token was refused and where the right one is, never to log in again', async (_, args) => {
    const run = await ztkeys(args);
    expect(run.code).toBe(EXIT.REFUSED);
    expect(run.stderr).toContain('code: UNAUTHENTICATED');
    expect(run.stderr).toContain('The server did not take this bootstrap token');
    expect(run.stderr).toContain('BOOTSTRAP_TOKEN');
    expect(run.stderr).not.toMatch(/log in again|agent token/);
  });
});
