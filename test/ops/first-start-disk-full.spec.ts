import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fillVolume, mountSmallVolume, unmountSmallVolume } from '../support/small-volume';
import { ServerProcess } from './support/server-process';

const volume = mountSmallVolume('2m');
const describeOnTmpfs = volume ? describe : describe.skip;
if (!volume) process.stdout.write('first-start-disk-full: skipped, mount -t tmpfs is not permitted here\n');

/**
 * A first start on a volume that fills up under it, as an operator meets it: the built server,
 * its DATA_DIR on a small tmpfs left with a few pages free. Each amount runs out at another step
 * (the roles' lock, the generated secrets, the log key, the event log's first pages). The start
 * must end with one line saying the disk is full, and leave nothing that keeps the next start,
 * once space is back, from succeeding: an empty secret file it had begun did (`jwt-secret must be
 * at least 32 bytes, got 0: use a random one (openssl rand -base64 32)`, for the log key too).
 */
describeOnTmpfs('a first start on a full disk', () => {
  afterAll(() => unmountSmallVolume(volume!));

  it.each([1, 2, 3, 4, 8, 20])('with %i page(s) free: one line saying DATA_DIR is full, no stack; once space is back, it starts', async (pages) => {
    const dataDir = join(volume!, `data-${pages}`);
    const ballast = fillVolume(volume!, pages * 4096);
    const full = ServerProcess.spawn({ DATA_DIR: dataDir, LOG_SELF_CHECK_INTERVAL_MS: '0' });
    try {
      expect((await full.exitWithin(30_000)).code).toBe(1);
      const said = full.logLines.filter((line) => line.level > 30);
      expect({ said: said.map(({ level, msg }) => ({ level, msg })), stack: full.stdout.includes('    at '), stderr: full.stderr }).toEqual({
        said: [{ level: 60, msg: expect.stringMatching(new RegExp(`^ztkeys cannot start: DATA_DIR ${dataDir} cannot be used: its file system is (full|failing)`)) }],
        stack: false,
        stderr: '',
      });
      // Nothing half-written stays behind: every file in it is empty of nothing it needs, or whole.
      const emptyFiles = readdirSync(dataDir).filter((name) => !name.endsWith('.sqlite-wal') && statSync(join(dataDir, name)).size === 0);
      expect(emptyFiles.filter((name) => !name.endsWith('.sqlite'))).toEqual([]);
    } finally {
      full.dispose();
      rmSync(ballast);
    }

    const again = ServerProcess.spawn({ DATA_DIR: dataDir, LOG_SELF_CHECK_INTERVAL_MS: '0' });
    try {
      const url = await again.listening();
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
    } finally {
      again.dispose();
      await again.exitWithin(10_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
