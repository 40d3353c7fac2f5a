import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { CLI_BUILT, runProcess } from './support/cli-process';

jest.setTimeout(60_000);

/**
 * A secret's file or descriptor is read no further than 64 KiB: one given by mistake (a device such
 * as /dev/zero, `yes` on a pipe, a log file) was read to its end, which a device never reaches: the
 * built CLI grew to 7 GB in 12 s. Longer is a usage error naming the option, before anything is
 * sent or a key made. (The endless cases are not run here: before the bound they eat the machine.)
 */
describe('a secret longer than any passphrase or token', () => {
  let home: string;
  const LONG = 'a'.repeat(64 * 1024 + 1);
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-long-secret-'));
    new ProfileStore(home).save('default', { apiUrl: 'http://127.0.0.1:9', token: 'token-1', orgId: 'org-1', agentId: 'bob' });
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const env = () => ({ PATH: process.env.PATH, ZTKEYS_HOME: home });

  it('from a descriptor (a pipe): login is a usage error naming it, and logs nobody in', async () => {
    const result = await runProcess(CLI_BUILT, ['login', '--profile', 'carol', '--api', 'http://127.0.0.1:9', '--token-fd', '3'], { env: env(), fd3: LONG });
    expect(result).toMatchObject({ code: EXIT.USAGE, stdout: '', stderr: 'ztkeys: --token-fd 3 holds more than 64 KiB: no agent token is that long. Is it the right file?\n' });
    expect(new ProfileStore(home).get('carol')).toBeUndefined();
  });

  it('from a file: keys create is a usage error naming it, before a key is made', async () => {
    const file = join(home, 'long.pass');
    writeFileSync(file, LONG, { mode: 0o600 });
    const result = await runProcess(CLI_BUILT, ['keys', 'create', '--passphrase-file', file], { env: env() });
    expect(result).toMatchObject({ code: EXIT.USAGE, stdout: '', stderr: `ztkeys: --passphrase-file ${file} holds more than 64 KiB: no new passphrase for your signature key is that long. Is it the right file?\n` });
  });

  it('up to the bound (its newline counted), a secret is read whole', async () => {
    const result = await runProcess(CLI_BUILT, ['login', '--profile', 'carol', '--api', 'http://127.0.0.1:9', '--token-fd', '3'], { env: env(), fd3: `${LONG.slice(2)}\n` });
    expect(result).toMatchObject({ code: EXIT.USAGE, stderr: expect.stringContaining('This is not an agent token') });
  });
});
