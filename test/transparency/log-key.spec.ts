import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { ConfigError } from '../../src/config/config-error';
import { DEFAULT_LOG_KEY_NAME, LOG_KEY_FILE, loadLogKey } from '../../src/transparency/log-key';
import { openNote, parseVerifierKey, signerFromSeed, signNote, verifierKeyText } from '../../src/transparency/signed-note';

const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';

describe('log key', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-log-key-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is generated into DATA_DIR, readable by its owner only, and the same on the next start', () => {
    const generated: string[] = [];
    const first = loadLogKey(loadConfig({ DATA_DIR: dataDir }), generated);
    const file = join(dataDir, LOG_KEY_FILE);
    expect(generated).toEqual([file]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^PRIVATE\\+KEY\\+${DEFAULT_LOG_KEY_NAME}\\+[0-9a-f]{8}\\+`));
    const again = loadLogKey(loadConfig({ DATA_DIR: dataDir }));
    expect(again.vkey).toBe(first.vkey);
    const verifier = parseVerifierKey(first.vkey);
    expect(openNote(signNote('hello\n', [again.signer]), [verifier]).text).toBe('hello\n');
  });

  it('takes the operator key from LOG_SIGNING_KEY and writes no file', () => {
    const key = loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_SIGNING_KEY: PETER_SKEY }));
    expect(key.vkey).toBe('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    expect(existsSync(join(dataDir, LOG_KEY_FILE))).toBe(false);
  });

  it('names a generated key LOG_KEY_NAME, and refuses a key of another name or a malformed key', () => {
    expect(loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_KEY_NAME: 'keys.example.com/log' })).vkey).toMatch(/^keys\.example\.com\/log\+/);
    expect(() => loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_KEY_NAME: 'other.example.com/log' }))).toThrow(ConfigError);
    expect(() => loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_SIGNING_KEY: PETER_SKEY, LOG_KEY_NAME: 'Enoch' }))).toThrow(ConfigError);
    expect(() => loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_SIGNING_KEY: 'PRIVATE+KEY+x+00000000+AAAA' }))).toThrow(ConfigError);
    // The fatal line names what to fix: the variable, or the file in DATA_DIR.
    const vkey = loadLogKey(loadConfig({ DATA_DIR: dataDir })).vkey;
    expect(() => loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_SIGNING_KEY: vkey }))).toThrow(/^LOG_SIGNING_KEY is not a signer key: /);
    writeFileSync(join(dataDir, LOG_KEY_FILE), `${vkey}\n`);
    expect(() => loadLogKey(loadConfig({ DATA_DIR: dataDir }))).toThrow(`${join(dataDir, LOG_KEY_FILE)} is not a signer key: `);
  });

  it('keeps the earlier keys of LOG_PREVIOUS_KEYS, oldest first, before its own; refuses one that is not a verifier key', () => {
    const [older, old] = [1, 2].map((seed) => verifierKeyText(signerFromSeed(`ztkeys.test/log-${seed}`, Buffer.alloc(32, seed))));
    const key = loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_SIGNING_KEY: PETER_SKEY, LOG_PREVIOUS_KEYS: ` ${older},\n${old} ` }));
    expect(key.keyring.map(verifierKeyText)).toEqual([older, old, key.vkey]);
    // Its own key listed among the earlier ones is not listed twice.
    expect(loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_SIGNING_KEY: PETER_SKEY, LOG_PREVIOUS_KEYS: `${old},${key.vkey}` })).keyring.map(verifierKeyText)).toEqual([old, key.vkey]);
    expect(() => loadLogKey(loadConfig({ DATA_DIR: dataDir, LOG_PREVIOUS_KEYS: `${old},not-a-key` }))).toThrow(/LOG_PREVIOUS_KEYS holds a key that is not a verifier key/);
  });
});
