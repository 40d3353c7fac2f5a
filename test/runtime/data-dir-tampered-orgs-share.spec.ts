import { linkSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirTamperedOrgsShare, TAMPERED_ORGS_FILE } from '../../src/runtime/data-dir-tampered-orgs-share';
import { describeTamperedOrgsShare } from './tampered-orgs-share.contract';

const tempDataDir = () => mkdtempSync(join(tmpdir(), 'ztkeys-tampered-share-'));

describeTamperedOrgsShare('DATA_DIR', async () => {
  const dataDir = tempDataDir();
  return {
    share: new DataDirTamperedOrgsShare(dataDir),
    another: () => new DataDirTamperedOrgsShare(dataDir),
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

describe('DATA_DIR tampered-orgs share', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = tempDataDir()));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("leaves one file, the service user's only, and no partial write beside it", async () => {
    await new DataDirTamperedOrgsShare(dataDir).write('["o1"]');
    expect(readdirSync(dataDir)).toEqual([TAMPERED_ORGS_FILE]);
    expect(statSync(join(dataDir, TAMPERED_ORGS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('leaves the file as it is when a check finds what it holds already: written only on a change', async () => {
    const share = new DataDirTamperedOrgsShare(dataDir);
    const path = join(dataDir, TAMPERED_ORGS_FILE);
    await share.write('[]');
    // Each write is a new file renamed over the old one; a link kept to the old one keeps its inode from being reused.
    const kept = join(dataDir, 'kept');
    linkSync(path, kept);
    const sameFile = () => statSync(path).ino === statSync(kept).ino;
    await share.write('[]');
    expect(sameFile()).toBe(true);
    await share.write('["o1"]');
    expect(sameFile()).toBe(false);
    expect(await share.read()).toBe('["o1"]');
  });

  it('writes nothing into a folder that replaced DATA_DIR under the running server, nor where it went: until it is back', async () => {
    const share = new DataDirTamperedOrgsShare(dataDir);
    await share.write('[]');
    // A restore that has not put the files in yet: an empty folder of the same name.
    renameSync(dataDir, `${dataDir}.moved`);
    mkdirSync(dataDir);
    await expect(share.write('["o1"]')).rejects.toThrow(/is not the folder this server opened .*put the folder back, or restart the server/);
    expect(readdirSync(dataDir)).toEqual([]);
    rmSync(dataDir, { recursive: true });
    await expect(share.write('["o1"]')).rejects.toThrow(/is not the folder this server opened/);
    renameSync(`${dataDir}.moved`, dataDir);
    await share.write('["o1"]');
    expect(await share.read()).toBe('["o1"]');
  });

  it('rejects a read it cannot make, naming why', async () => {
    mkdirSync(join(dataDir, TAMPERED_ORGS_FILE));
    await expect(new DataDirTamperedOrgsShare(dataDir).read()).rejects.toThrow(/EISDIR/);
  });
});
