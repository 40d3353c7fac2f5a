import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealKey } from '../../src/cli/key-file';
import { KeyStore } from '../../src/cli/key-store';
import { writePrivateFile } from '../../src/cli/private-file';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { generateKeyPair } from '../../src/cli/signature-key';
import { memoryIo } from './support/memory-io';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('files holding secrets', () => {
  let home: string;
  let umask: number;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-files-'));
    umask = process.umask(0o000); // the most permissive umask: modes must not depend on it
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(home, { recursive: true, force: true });
  });

  it('writes key files 0600 in 0700 folders, and leaves no temporary file behind', async () => {
    const owner = { orgId: 'org-1', agentId: 'alice' };
    const store = new KeyStore(home, owner);
    const key = await generateKeyPair();
    store.save(await sealKey(key, owner, 'correct horse battery staple', '2025-01-01T00:00:00.000Z'));
    store.recordRequest(key.fingerprint, 'req-1', 'PENDING');
    const path = store.pathOf(key.fingerprint);
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(join(path, '..', 'index.json'))).toBe(0o600);
    for (const dir of [join(path, '..'), join(home, 'keys'), home]) expect(modeOf(dir)).toBe(0o700);
    expect(readdirSync(join(path, '..')).sort()).toEqual([`${key.fingerprint}.json`, 'index.json'].sort());
    expect(store.load(key.fingerprint).publicKey).toBe(key.publicKey);
  });

  it('writes profiles (bearer tokens) 0600', () => {
    new ProfileStore(home).save('default', { apiUrl: 'http://127.0.0.1:1', token: 't', orgId: 'o', agentId: 'a' });
    expect(modeOf(join(home, 'profiles.json'))).toBe(0o600);
  });

  it('tightens a file that was readable by others when it rewrites it', () => {
    const path = join(home, 'profiles.json');
    writeFileSync(path, '{}', { mode: 0o644 });
    writePrivateFile(path, '{"version":1}');
    expect(modeOf(path)).toBe(0o600);
  });

  it('narrows a profiles file and key files that others can read (copied, restored) before any command, and says so', async () => {
    const owner = { orgId: 'org-1', agentId: 'alice' };
    new ProfileStore(home).save('default', { apiUrl: 'http://127.0.0.1:1', token: 't', ...owner });
    const store = new KeyStore(home, owner);
    const key = await generateKeyPair();
    store.save(await sealKey(key, owner, 'correct horse battery staple', '2025-01-01T00:00:00.000Z'));
    const [profiles, keyFile, keyFolder] = [join(home, 'profiles.json'), store.pathOf(key.fingerprint), join(store.pathOf(key.fingerprint), '..')];
    chmodSync(profiles, 0o644);
    chmodSync(keyFile, 0o644);
    chmodSync(keyFolder, 0o755);

    const io = memoryIo({ ZTKEYS_HOME: home });
    expect(await runCli(['whoami'], io)).toBe(0);
    expect(io.stderr.text).toBe(
      `warning: Other users could read ${profiles}, ${keyFolder}, ${keyFile}; now only you can. If others use this machine, a token or key file may have been copied: get a new token (ztkeys login) and a new key (ztkeys keys create).\n`,
    );
    expect([profiles, keyFile, keyFolder].map(modeOf)).toEqual([0o600, 0o600, 0o700]);

    const again = memoryIo({ ZTKEYS_HOME: home });
    expect(await runCli(['whoami'], again)).toBe(0);
    expect(again.stderr.text).toBe('');
  });

  it('keeps one active key: an approved replacement deletes the old key file, an ended request its own', async () => {
    const owner = { orgId: 'org-1', agentId: 'alice' };
    const store = new KeyStore(home, owner);
    const [first, second, third] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);
    for (const key of [first, second, third]) store.save(await sealKey(key, owner, 'correct horse battery staple', '2025-01-01T00:00:00.000Z'));
    store.recordRequest(first.fingerprint, 'req-1', 'APPROVED');
    store.recordRequest(second.fingerprint, 'req-2', 'PENDING');
    expect(store.settlePending('PENDING')).toBe(false);
    expect(store.settlePending('APPROVED')).toBe(true);
    expect(store.index()).toEqual({ active: second.fingerprint });
    store.recordRequest(third.fingerprint, 'req-3', 'PENDING');
    expect(store.settlePending('REJECTED')).toBe(true);
    expect(store.index()).toEqual({ active: second.fingerprint });
    expect(readdirSync(join(store.pathOf(second.fingerprint), '..')).sort()).toEqual([`${second.fingerprint}.json`, 'index.json'].sort());
  });
});
