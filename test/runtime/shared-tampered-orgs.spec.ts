import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TamperedOrgs } from '../../src/application/tampered-orgs';
import { DataDirTamperedOrgsShare, TAMPERED_ORGS_FILE } from '../../src/runtime/data-dir-tampered-orgs-share';
import { followTamperedOrgs, publishTamperedOrgs } from '../../src/runtime/shared-tampered-orgs';
import type { TamperedOrgsShare } from '../../src/runtime/tampered-orgs-share.port';
import { waitFor } from '../notifications/support/wait-for';

/** The findings of the process that checks, as an API process that runs none learns them, through a DATA_DIR both share. */
describe('tampered orgs shared with the API processes that run no check', () => {
  let dataDir: string;
  let stops: (() => void)[];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-shared-tampered-'));
    stops = [];
  });
  afterEach(() => {
    for (const stop of stops) stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const refuses = (tampered: TamperedOrgs, orgId: string): boolean => {
    try {
      tampered.refuseWritesOf(orgId);
      return false;
    } catch {
      return true;
    }
  };

  /** An API process's view, over its own share of the folder, counting the reads it finished and the faults it was told. */
  const follower = () => {
    const share = new DataDirTamperedOrgsShare(dataDir);
    const seen = { reads: 0, errors: [] as unknown[] };
    const counted: TamperedOrgsShare = { write: (value) => share.write(value), read: () => share.read().finally(() => (seen.reads += 1)) };
    const tampered = new TamperedOrgs();
    stops.push(followTamperedOrgs(tampered, counted, (error) => seen.errors.push(error)));
    return { tampered, seen };
  };

  it('refuses what the check found, then takes it again once a check finds it whole', async () => {
    const checking = new TamperedOrgs();
    const publishErrors: unknown[] = [];
    publishTamperedOrgs(checking, new DataDirTamperedOrgsShare(dataDir), (error) => publishErrors.push(error));
    const { tampered, seen } = follower();
    checking.found({ tampered: ['o1'], unreadCheckpoints: [] });
    await waitFor('the follower to refuse o1', () => refuses(tampered, 'o1'));
    expect(refuses(tampered, 'o2')).toBe(false);
    checking.found({ tampered: [], unreadCheckpoints: [] });
    await waitFor('the follower to take o1 again', () => !refuses(tampered, 'o1'));
    expect([seen.errors, publishErrors]).toEqual([[], []]);
  });

  it("refuses the writes of an org whose checkpoints the check could not read, as a newer release's; reads a finding of tampered orgs alone as the release before left it", async () => {
    const checking = new TamperedOrgs();
    publishTamperedOrgs(checking, new DataDirTamperedOrgsShare(dataDir), (error) => {
      throw error;
    });
    const { tampered } = follower();
    checking.found({ tampered: [], unreadCheckpoints: [{ orgId: 'o2', type: 'CheckpointSigned', schemaVersion: 2 }] });
    await waitFor('the follower to refuse o2', () => refuses(tampered, 'o2'));
    expect(() => tampered.refuseWritesOf('o2')).toThrow(expect.objectContaining({ name: 'NotOfThisRelease', type: 'CheckpointSigned', schemaVersion: 2 }));
    await new DataDirTamperedOrgsShare(dataDir).write('["o1"]');
    await waitFor('the follower to refuse o1 alone', () => refuses(tampered, 'o1') && !refuses(tampered, 'o2'));
  });

  it('keeps what it read last while the finding cannot be read or is not one, and says why', async () => {
    const share = new DataDirTamperedOrgsShare(dataDir);
    await share.write('["o1"]');
    const { tampered, seen } = follower();
    await waitFor('the follower to refuse o1', () => refuses(tampered, 'o1'));

    await share.write('not a finding');
    const reads = seen.reads;
    await waitFor('a read of what is not a finding', () => seen.reads > reads + 1);
    expect(refuses(tampered, 'o1')).toBe(true);

    rmSync(join(dataDir, TAMPERED_ORGS_FILE));
    mkdirSync(join(dataDir, TAMPERED_ORGS_FILE));
    await waitFor('a read that fails', () => seen.errors.length > 0);
    expect(String(seen.errors[0])).toMatch(/EISDIR/);
    expect(refuses(tampered, 'o1')).toBe(true);
  });
});
