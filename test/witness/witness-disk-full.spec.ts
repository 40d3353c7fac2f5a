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
});
