import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { fillVolume, firstRefused, mountSmallVolume, unmountSmallVolume } from '../support/small-volume';
import { signedHistory } from '../transparency/support/signed-history';
import { WitnessProcess } from './support/witness-process';

const volume = mountSmallVolume('3m');
const describeOnTmpfs = volume ? describe : describe.skip;
if (!volume) process.stdout.write('witness disk-full: skipped, mount -t tmpfs is not permitted here\n');

const logKey = signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 7));

describeOnTmpfs('a full disk under the witness (built, a real process)', () => {
  afterAll(() => unmountSmallVolume(volume!));

  it('add-checkpoint answers 503 STORE_UNAVAILABLE, /health/ready 503 NOT_READY, until space returns: then ready and cosigning again', async () => {
    const witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: join(volume!, 'witness-data'), WITNESS_LOG_KEYS: verifierKeyText(logKey) });
    try {
      const { url } = await witness.listening();
      // Each a new origin: a row the store must write. A long origin fills pages sooner.
      const submit = async (i: number) => {
        const note = signedHistory(['a'], logKey, `${logKey.name}/org-${i}-${'x'.repeat(200)}`).note(1);
        const answer = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: `old 0\n\n${note}` });
        return { status: answer.status, type: answer.headers.get('content-type'), text: await answer.text() };
      };
      expect((await submit(0)).status).toBe(200);
      const ballast = fillVolume(volume!);

      const refused = await firstRefused(submit, (answer) => answer.status !== 200, 2000);
      expect(refused && { status: refused.status, type: refused.type, code: (JSON.parse(refused.text) as { code: string }).code }).toEqual({
        status: 503,
        type: 'application/problem+json',
        code: 'STORE_UNAVAILABLE',
      });
      const notReady = await fetch(`${url}/health/ready`);
      expect({ status: notReady.status, body: (await notReady.json()) as unknown }).toEqual({
        status: 503,
        body: expect.objectContaining({ code: 'NOT_READY', checks: { store: { status: 'down', message: expect.stringContaining('disk is full') } } }),
      });

      rmSync(ballast);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      expect((await submit(5000)).status).toBe(200);
    } finally {
      await witness.stop();
    }
  });

  // A first start that ran out of space after generating its key left the key beside an empty store,
  // and every later start refused for good: "witness.sqlite is missing or empty beside the witness's
  // key: without it the witness would forget every checkpoint it cosigned" (it had cosigned none).
  it.each([1, 3, 8])('a first start with %i page(s) free ends in one line naming WITNESS_DATA_DIR, and starts once space is back', async (pages) => {
    const dataDir = join(volume!, `first-start-${pages}`);
    const env = { WITNESS_DATA_DIR: dataDir, WITNESS_LOG_KEYS: verifierKeyText(logKey) };
    const ballast = fillVolume(volume!, pages * 4096);
    const full = WitnessProcess.spawn(env);
    try {
      expect({ code: await full.exitCodeWithin(15_000), stderr: full.stderr, said: full.lines().filter((line) => line.level > 30).map(({ level, msg }) => ({ level, msg })) }).toEqual({
        code: 1,
        stderr: '',
        said: [{ level: 60, msg: expect.stringMatching(new RegExp(`^witness cannot start: WITNESS_DATA_DIR ${dataDir} cannot be used: its file system is (full|failing)`)) }],
      });
    } finally {
      rmSync(ballast);
    }
    const again = WitnessProcess.spawn(env);
    try {
      await again.listening();
    } finally {
      await again.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
