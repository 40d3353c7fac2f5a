import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { memoryIo } from '../cli/support/memory-io';

/*
 * Exports an operator upgrading holds: written by the release of 2026-12-01 (8f13e1b), and by a
 * DATA_DIR that release wrote, then this code, then that release again (going back), then this
 * code. Captured from those servers, as they served them, so no old build is needed here.
 */
const fixtures = join(__dirname, 'fixtures', 'upgrade');
const logKey = join(fixtures, 'log-key.txt');

describe('audit verify of exports written by an earlier release', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'ztkeys-upgrade-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const verify = async (file: string) => {
    const io = memoryIo({ ZTKEYS_HOME: home });
    const code = await runCli(['audit', 'verify', join(fixtures, file), '--log-key', logKey], io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };

  it('verifies an export of the earlier release, its SensitiveTaskAuthorized at schema version 1 included', async () => {
    expect(await verify('export-of-8f13e1b.ndjson')).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(/15 events, 4 checkpoints, verified up to the checkpoint of size 15/) });
  });

  it('verifies one export spanning both releases, back and forth, as one log', async () => {
    expect(await verify('export-across-releases.ndjson')).toMatchObject({
      code: EXIT.OK,
      stdout: expect.stringMatching(/27 events, 9 checkpoints, verified up to the checkpoint of size 27/),
    });
  });
});
