import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { deploymentIdentity } from '../../src/deployment/deployment-identity';
import { existingLogKey, loadLogKey } from '../../src/transparency/log-key';

/** What a process of a deployment claims its REDIS_KEY_PREFIX with, read as the server and npm run worker read it. */
describe('deployment identity', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-identity-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("is the log key's verifier key, the same for every process of the DATA_DIR, and another for another DATA_DIR", () => {
    const first = loadLogKey(loadConfig({ DATA_DIR: dataDir }));
    expect(deploymentIdentity(first)).toBe(first.vkey);
    expect(deploymentIdentity(existingLogKey(loadConfig({ DATA_DIR: dataDir }))!)).toBe(first.vkey);
    const other = mkdtempSync(join(tmpdir(), 'ztkeys-identity-'));
    try {
      expect(deploymentIdentity(loadLogKey(loadConfig({ DATA_DIR: other })))).not.toBe(first.vkey);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stays the first key of the log after a rotation (the old key in LOG_PREVIOUS_KEYS), so a rotated deployment still holds its prefix', () => {
    const before = loadLogKey(loadConfig({ DATA_DIR: dataDir }));
    const rotated = mkdtempSync(join(tmpdir(), 'ztkeys-identity-'));
    try {
      const after = loadLogKey(loadConfig({ DATA_DIR: rotated, LOG_PREVIOUS_KEYS: before.vkey }));
      expect(after.vkey).not.toBe(before.vkey);
      expect(deploymentIdentity(after)).toBe(before.vkey);
    } finally {
      rmSync(rotated, { recursive: true, force: true });
    }
  });

  it('is unknown to a process that has no log key (npm run worker given Redis and SMTP alone): none is generated for it', () => {
    expect(existingLogKey(loadConfig({ DATA_DIR: dataDir }))).toBeUndefined();
    // Asked again: a key the first call had generated would be found now.
    expect(existingLogKey(loadConfig({ DATA_DIR: dataDir }))).toBeUndefined();
  });
});
