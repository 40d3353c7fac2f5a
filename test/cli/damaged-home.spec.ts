import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { sealKey } from '../../src/cli/key-file';
import { KeyStore } from '../../src/cli/key-store';
import { ProfileStore } from '../../src/cli/profile-store';
import { generateKeyPair } from '../../src/cli/signature-key';
import { CLI_BUILT, runProcess } from './support/cli-process';

jest.setTimeout(60_000);

const PROFILE = { apiUrl: 'http://127.0.0.1:9', token: 'token-1', orgId: 'org-1', agentId: 'bob' };

/**
 * profiles.json and a key folder's index.json edited by hand, restored from an older copy or cut
 * short into other JSON: each command says which file cannot be used, in one line with exit 5,
 * and changes nothing, never an internal error with its stack; a name in index.json never names a
 * file outside the key folder.
 */
describe('a CLI home whose files hold JSON of another shape', () => {
  let home: string;
  const ztkeys = (args: string[]) => runProcess(CLI_BUILT, args, { env: { PATH: process.env.PATH, ZTKEYS_HOME: home, ZTKEYS_PASSPHRASE: 'correct horse battery staple' } });
  const keyFolder = () => join(home, 'keys', 'org-1', 'bob');

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-damaged-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it.each([
    ['a profile that is null', { version: 1, profiles: { default: null }, positions: {} }, 'profiles.default'],
    ['a server URL that is no text', { version: 1, profiles: { default: { ...PROFILE, apiUrl: 5 } }, positions: {} }, 'profiles.default.apiUrl'],
    ['a remembered position that is no text', { version: 1, profiles: { default: PROFILE }, positions: { [PROFILE.apiUrl]: 7 } }, 'positions'],
  ])('profiles.json with %s is refused by every command in one line naming the file and the member (exit 5)', async (_case, document, member) => {
    writeFileSync(join(home, 'profiles.json'), JSON.stringify(document), { mode: 0o600 });
    for (const args of [['whoami'], ['profile', 'list'], ['status']]) {
      const result = await ztkeys(args);
      expect(result).toMatchObject({ code: EXIT.CHECK_FAILED, stdout: '' });
      expect(result.stderr).toMatch(new RegExp(`^ztkeys: ${join(home, 'profiles.json')} is not a ztkeys profiles file \\(${member.replace(/\./g, '\\.')}[:.)].*; move it away and log in again\\.\\n$`));
    }
  });

  it.each([
    ['null', 'null', 'the file'],
    ['an active key named by a path', JSON.stringify({ active: '../../../../victim' }), 'active'],
    ['a pending request without its id', JSON.stringify({ pending: { fingerprint: 'a'.repeat(64) } }), 'pending.requestId'],
  ])('an index.json of %s is refused in one line naming it (exit 5), and no file outside the key folder is touched', async (_case, text, member) => {
    new ProfileStore(home).save('default', PROFILE);
    mkdirSync(keyFolder(), { recursive: true, mode: 0o700 });
    writeFileSync(join(keyFolder(), 'index.json'), text, { mode: 0o600 });
    const victim = join(home, 'victim.json');
    writeFileSync(victim, '{}', { mode: 0o600 });
    const result = await ztkeys(['keys', 'create']);
    expect(result.stderr).not.toContain('internal error');
    expect(result).toMatchObject({ code: EXIT.CHECK_FAILED, stdout: '' });
    expect(result.stderr).toContain(`ztkeys: ${join(keyFolder(), 'index.json')} is not a ztkeys key index (${member}`);
    expect(existsSync(victim)).toBe(true);
  });

  it('refuses a key file that holds another key than its name says (one copied over it), before asking for the passphrase (exit 5)', async () => {
    new ProfileStore(home).save('default', PROFILE);
    const store = new KeyStore(home, PROFILE);
    const [active, other] = [await generateKeyPair(), await generateKeyPair()];
    for (const key of [active, other]) store.save(await sealKey(key, PROFILE, 'correct horse battery staple', new Date().toISOString()));
    store.recordRequest(active.fingerprint, 'req-1', 'APPROVED');
    copyFileSync(store.pathOf(other.fingerprint), store.pathOf(active.fingerprint));
    const result = await ztkeys(['prompt-frequency', 'set', 'DAILY', '--browser', 'laptop']);
    expect(result).toMatchObject({
      code: EXIT.CHECK_FAILED,
      stdout: '',
      stderr: `ztkeys: Key file ${store.pathOf(active.fingerprint)} holds key ${other.fingerprint}, not the key its name says: restore it from a copy, or run "ztkeys keys create".\n`,
    });
  });
});
