import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { CLI_FROM_SOURCE, runInPty } from './support/cli-process';

/**
 * The passphrase prompt on a real pseudo-terminal. The profile points at a closed port, so
 * `keys create` gets as far as the request: the prompts, the key generation and its encryption
 * run for real, and the unreachable server ends the run (exit 4) with the key file removed.
 */
describe('passphrase prompt on a terminal', () => {
  let home: string;
  const PASSPHRASE = 'tr0ub4dor&3-horse';
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-pty-'));
    new ProfileStore(home).save('default', { apiUrl: 'http://127.0.0.1:9', token: 't', orgId: 'org-1', agentId: 'alice' });
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const env = () => ({ PATH: process.env.PATH, HOME: home, ZTKEYS_HOME: home, TERM: 'dumb' });
  const keyFiles = () => {
    const dir = join(home, 'keys', 'org-1', 'alice');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it('asks twice with echo off: the passphrase never shows on the screen', async () => {
    const { code, stdout: screen } = await runInPty(CLI_FROM_SOURCE, ['keys', 'create'], env(), [
      { expect: /New passphrase for your signature key: $/, type: `${PASSPHRASE}\r` },
      { expect: /again: $/, type: `${PASSPHRASE}\r` },
    ]);
    expect(screen).toMatch(/New passphrase for your signature key: \r?\nNew passphrase for your signature key again: /);
    expect(screen).not.toContain(PASSPHRASE);
    expect(screen).not.toContain('*');
    expect(screen).toMatch(/Cannot reach the ztkeys server at http:\/\/127\.0\.0\.1:9/);
    expect(code).toBe(EXIT.SERVER);
    expect(keyFiles()).toEqual([]);
  });

  it('refuses two different entries (exit 2), creating nothing', async () => {
    const { code, stdout: screen } = await runInPty(CLI_FROM_SOURCE, ['keys', 'create'], env(), [
      { expect: /New passphrase for your signature key: $/, type: `${PASSPHRASE}\r` },
      { expect: /again: $/, type: `${PASSPHRASE}x\r` },
    ]);
    expect(screen).toMatch(/The two new passphrase for your signature key entries differ; nothing was changed/);
    expect(code).toBe(EXIT.USAGE);
    expect(keyFiles()).toEqual([]);
  });

  it('lets backspace edit and Ctrl-C interrupt (exit 130)', async () => {
    const { code, stdout: screen } = await runInPty(CLI_FROM_SOURCE, ['keys', 'create'], env(), [
      { expect: /New passphrase for your signature key: $/, type: `${PASSPHRASE}x\u007f\r` },
      { expect: /again: $/, type: '\u0003' },
    ]);
    expect(screen).toMatch(/Interrupted/);
    expect(code).toBe(EXIT.INTERRUPTED);
  });

  it('refuses a terminal given as the passphrase\'s descriptor or file, which would show the passphrase as it is typed', async () => {
    for (const given of [['--passphrase-fd', '0'], ['--passphrase-file', '/dev/tty']]) {
      const { code, stdout: screen } = await runInPty(CLI_FROM_SOURCE, ['keys', 'create', ...given], env(), [{ expect: /echo off\.\r?\n/, type: '' }]);
      expect(screen).toBe(
        `ztkeys: ${given.join(' ')} is a terminal, which would show the new passphrase for your signature key as you type it: leave out --passphrase-fd and --passphrase-file to be asked with echo off.\r\n`,
      );
      expect(code).toBe(EXIT.USAGE);
    }
    expect(keyFiles()).toEqual([]);
  });
});
