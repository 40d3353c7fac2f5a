import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sealKey } from '../../src/cli/key-file';
import { KeyStore } from '../../src/cli/key-store';
import { writePrivateFile } from '../../src/cli/private-file';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { generateKeyPair } from '../../src/cli/signature-key';
import { memoryIo } from './support/memory-io';
import { runInHome } from './support/run-in-home';
import { fillVolume, mountSmallVolume, unmountSmallVolume } from '../support/small-volume';

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
    expect(readdirSync(join(path, '..')).sort()).toEqual([`${key.fingerprint}.json`, 'index.json'].sort()); // no lock left either
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

  it('keeps one active key: an approved replacement retires the old key file (kept, 0600), an ended request deletes its own', async () => {
    const owner = { orgId: 'org-1', agentId: 'alice' };
    const store = new KeyStore(home, owner);
    const [first, second, third] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);
    for (const key of [first, second, third]) store.save(await sealKey(key, owner, 'correct horse battery staple', '2025-01-01T00:00:00.000Z'));
    expect(store.recordRequest(first.fingerprint, 'req-1', 'APPROVED')).toBeUndefined(); // nothing replaced
    store.recordRequest(second.fingerprint, 'req-2', 'PENDING');
    expect(store.settlePending('req-2', 'PENDING')).toBeUndefined();
    expect(store.settlePending('req-1', 'APPROVED')).toBeUndefined(); // not the pending one
    const retired = store.retiredPathOf(first.fingerprint);
    expect(store.settlePending('req-2', 'APPROVED')).toEqual({ retired: { fingerprint: first.fingerprint, path: retired } });
    expect(store.index()).toEqual({ active: second.fingerprint });
    expect(modeOf(retired)).toBe(0o600);
    store.recordRequest(third.fingerprint, 'req-3', 'PENDING');
    expect(store.settlePending('req-3', 'REJECTED')).toEqual({});
    expect(store.index()).toEqual({ active: second.fingerprint });
    expect(readdirSync(join(store.pathOf(second.fingerprint), '..')).sort()).toEqual([`${second.fingerprint}.json`, `${first.fingerprint}.retired.json`, 'index.json'].sort());
  });

  describe('a ZTKEYS_HOME others could change', () => {
    const refusal = (folder: string, why: string) =>
      `ztkeys: ${folder} ${why}: they could delete or replace your profiles and keys, or plant links there. Use a folder only you can write (the default is ~/.config/ztkeys).\n`;

    it('refuses a home that others may write (a folder shared on purpose, or planted in /tmp by another user), changing nothing', async () => {
      chmodSync(home, 0o777);
      expect(await runInHome(home, ['profile', 'list'])).toEqual({ code: 2, stdout: '', stderr: refusal(home, 'can be written by other users (mode 0777)') });
      expect(readdirSync(home)).toEqual([]);
    });

    it('refuses a home in a folder others may write, where it could be swapped, before making it', async () => {
      chmodSync(home, 0o777);
      const below = join(home, 'ztkeys');
      expect(await runInHome(below, ['profile', 'list'])).toEqual({ code: 2, stdout: '', stderr: refusal(home, 'can be written by other users (mode 0777)') });
      expect(existsSync(below)).toBe(false);
    });

    it('refuses a home reached through a link in a folder others may write', async () => {
      const own = join(home, 'own');
      mkdirSync(own, { mode: 0o700 });
      const shared = join(home, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      symlinkSync(own, join(shared, 'link'));
      expect(await runInHome(join(shared, 'link'), ['profile', 'list'])).toEqual({ code: 2, stdout: '', stderr: refusal(shared, 'can be written by other users (mode 0777)') });
    });

    it("accepts a home in a folder like /tmp (others may add files, but only remove their own), and a link to it from a folder of one's own", async () => {
      chmodSync(home, 0o1777);
      expect(await runInHome(join(home, 'ztkeys'), ['profile', 'list'])).toMatchObject({ code: 0, stderr: '' });
      const own = join(home, 'own');
      mkdirSync(own, { mode: 0o700 });
      symlinkSync(join(home, 'ztkeys'), join(own, 'link'));
      expect(await runInHome(join(own, 'link'), ['profile', 'list'])).toMatchObject({ code: 0, stderr: '' });
    });

    const asRoot = process.getuid?.() === 0;
    (asRoot ? it : it.skip)("refuses a home in another user's folder, even one like /tmp", async () => {
      const theirs = join(home, 'theirs');
      mkdirSync(theirs);
      chmodSync(theirs, 0o1777);
      chownSync(theirs, 65534, 65534);
      expect(await runInHome(join(theirs, 'ztkeys'), ['profile', 'list'])).toEqual({ code: 2, stdout: '', stderr: refusal(theirs, 'belongs to another user (uid 65534)') });
    });
  });

  it('takes over the lock of profiles.json a run left when it was killed while changing it', async () => {
    new ProfileStore(home).save('alice', { apiUrl: 'http://127.0.0.1:1', token: 't', orgId: 'org-1', agentId: 'alice' });
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(home, 'profiles.json.lock'), `${gone} ${hostname()}`, { mode: 0o600 });
    expect(await runInHome(home, ['profile', 'use', 'alice'])).toMatchObject({ code: 0, stderr: '' });
    expect(new ProfileStore(home).current()).toBe('alice');
    expect(readdirSync(home)).toEqual(['profiles.json']);
  });

  const onTmpfs = mountSmallVolume('256k');
  afterAll(() => onTmpfs && unmountSmallVolume(onTmpfs));
  (onTmpfs ? it : it.skip)('a rewrite on a disk with less room than the file fails and leaves the file whole (write(2) writing only what fits)', async () => {
    const full = join(onTmpfs!, 'home');
    const profiles = new ProfileStore(full);
    // profiles.json of 30 logins: more than the one page of 4096 bytes left below.
    for (let i = 0; i < 30; i++) profiles.save(`agent-${i}`, { apiUrl: 'http://127.0.0.1:1', token: `token-${i}-${'t'.repeat(200)}`, orgId: 'org-1', agentId: `agent-${i}` });
    const before = readFileSync(join(full, 'profiles.json'), 'utf8');
    expect(before.length).toBeGreaterThan(4096);
    fillVolume(onTmpfs!, 4096);

    const result = await runInHome(full, ['profile', 'use', 'agent-7']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Cannot write ${join(full, 'profiles.json')} (ENOSPC: no space left on device)`);
    expect(readFileSync(join(full, 'profiles.json'), 'utf8')).toBe(before);
    expect(readdirSync(full)).toEqual(['profiles.json']);
  });
});
