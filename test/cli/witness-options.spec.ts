import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { signCheckpoint } from '../../src/transparency/checkpoint';
import { cosignatureLine, cosignerFromSeed, cosignerKeyText } from '../../src/transparency/cosignature';
import { parseNote, signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { runInHome } from './support/run-in-home';

describe('--witness-key and --witness-quorum: usage', () => {
  const home = mkdtempSync(join(tmpdir(), 'ztkeys-witness-options-'));
  const file = join(home, 'audit.ndjson');
  const checkpoint = join(home, 'saved.checkpoint');
  const logKey = verifierKeyText(signerFromSeed('example.com/log', Buffer.alloc(32, 1)));
  const witnessKey = cosignerKeyText(cosignerFromSeed('witness.example/w1', Buffer.alloc(32, 2)));
  beforeAll(() => {
    writeFileSync(file, '');
    writeFileSync(checkpoint, 'not read\n');
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it.each([
    ['--witness-quorum without --witness-key', ['--witness-quorum', '1'], '--witness-quorum needs --witness-key'],
    ['--witness-key without --trusted-checkpoint', ['--witness-key', witnessKey], '--witness-key needs --trusted-checkpoint'],
    ['a quorum above the keys given', ['--trusted-checkpoint', checkpoint, '--witness-key', witnessKey, '--witness-quorum', '2'], '--witness-quorum 2 must be from 1 to the 1 witness key(s) given'],
    ['a quorum of 0', ['--trusted-checkpoint', checkpoint, '--witness-key', witnessKey, '--witness-quorum', '0'], '--witness-quorum 0 must be from 1'],
    ['a log key given as a witness key', ['--trusted-checkpoint', checkpoint, '--witness-key', logKey], '--witness-key is neither a verifier key'],
    ['one witness given twice', ['--trusted-checkpoint', checkpoint, '--witness-key', witnessKey, '--witness-key', witnessKey], '--witness-key names witness.example/w1 twice'],
  ])('audit verify refuses %s (exit 2)', async (_, options, message) => {
    const result = await runInHome(home, ['audit', 'verify', file, '--log-key', logKey, ...options]);
    expect(result).toMatchObject({ code: EXIT.USAGE, stderr: expect.stringContaining(message) });
  });

  it('audit verify refuses with exit 7 a trusted checkpoint without the cosignature', async () => {
    const log = signerFromSeed('example.com/log', Buffer.alloc(32, 1));
    writeFileSync(checkpoint, signCheckpoint({ origin: 'example.com/log/acme', size: 0, rootHash: Buffer.alloc(32), extensions: [] }, log));
    const result = await runInHome(home, ['audit', 'verify', file, '--log-key', logKey, '--trusted-checkpoint', checkpoint, '--witness-key', witnessKey]);
    expect(result).toMatchObject({ code: EXIT.FORKED, stderr: expect.stringContaining('is NOT WITNESSED: the checkpoint is cosigned by 0 of the 1 required witness(es)') });
  });

  it('counts each --witness-key given: 1 of 2 is refused (exit 7) unless --witness-quorum 1', async () => {
    const log = signerFromSeed('example.com/log', Buffer.alloc(32, 1));
    const second = cosignerFromSeed('witness.example/w2', Buffer.alloc(32, 3));
    const note = signCheckpoint({ origin: 'example.com/log/acme', size: 0, rootHash: Buffer.alloc(32), extensions: [] }, log);
    writeFileSync(checkpoint, note + cosignatureLine(cosignerFromSeed('witness.example/w1', Buffer.alloc(32, 2)), parseNote(note).text, 1_764_896_400));
    const both = ['audit', 'verify', file, '--log-key', logKey, '--trusted-checkpoint', checkpoint, '--witness-key', witnessKey, '--witness-key', cosignerKeyText(second)];
    expect(await runInHome(home, both)).toMatchObject({ code: EXIT.FORKED, stderr: expect.stringContaining('cosigned by 1 of the 2 required witness(es), fewer than the quorum of 2') });
    expect((await runInHome(home, [...both, '--witness-quorum', '1'])).stderr).not.toContain('NOT WITNESSED');
  });
});
