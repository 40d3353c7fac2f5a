import { signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { checkWitness } from '../../src/transparency/log-witness';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { signedHistory } from './support/signed-history';

const signer = signerFromSeed('example.com/log', Buffer.alloc(32, 3));
const origin = 'example.com/log/acme';

const history = (leaves: string[]) => signedHistory(leaves, signer, origin);

describe('the witness (pure)', () => {
  const honest = history(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  const forked = history(['a', 'b', 'X', 'd', 'e', 'f', 'g']);

  it('accepts a first checkpoint, the same one again, and an extension with its consistency proof', () => {
    expect(checkWitness({ latest: honest.note(3), proof: [], logKey: signer, origin })).toMatchObject({ ok: true, checkpoint: { size: 3 } });
    expect(checkWitness({ saved: honest.note(3), latest: honest.note(3), proof: [], logKey: signer, origin })).toMatchObject({ ok: true });
    expect(checkWitness({ saved: honest.note(3), latest: honest.note(7), proof: honest.proof(3, 7), logKey: signer, origin })).toMatchObject({ ok: true, checkpoint: { size: 7 } });
  });

  it('refuses a forked history, a shrunk log, a checkpoint of another key or origin', () => {
    expect(checkWitness({ saved: honest.note(3), latest: forked.note(7), proof: forked.proof(3, 7), logKey: signer, origin })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not an extension .* rewritten or forked/),
    });
    expect(checkWitness({ saved: honest.note(3), latest: honest.note(7), proof: forked.proof(3, 7), logKey: signer, origin }).ok).toBe(false);
    expect(checkWitness({ saved: honest.note(5), latest: honest.note(4), proof: [], logKey: signer, origin })).toMatchObject({ ok: false, reason: expect.stringMatching(/fewer than the 5/) });
    const other = signerFromSeed('example.com/log', Buffer.alloc(32, 4));
    expect(checkWitness({ latest: honest.note(3), proof: [], logKey: other, origin })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not open/) });
    expect(checkWitness({ latest: honest.note(3), proof: [], logKey: signer, origin: 'example.com/log/other' }).ok).toBe(false);
  });

  it('refuses a checkpoint with no timestamp line, first seen or not', () => {
    const reason = "the server's checkpoint of size 3 has no timestamp line holding a time: the log timestamps every checkpoint it signs";
    expect(checkWitness({ latest: honest.note(3, null), proof: [], logKey: signer, origin })).toEqual({ ok: false, reason });
    expect(checkWitness({ saved: honest.note(3), latest: honest.note(3, null), proof: [], logKey: signer, origin })).toEqual({ ok: false, reason });
    // Nor one whose timestamp is not in the form the log writes: Date would read it in this machine's zone, or drop digits.
    const [, , root] = honest.note(3).split('\n');
    for (const at of ['2026-12-01T09:00:00.000', '2026-12-01T09:00:00.000+00:00', '2026-12-01T09:00:00.000999Z']) {
      const note = signCheckpoint({ origin, size: 3, rootHash: Buffer.from(root, 'base64'), extensions: [`timestamp ${at}`] }, signer);
      expect(checkWitness({ latest: note, proof: [], logKey: signer, origin })).toEqual({ ok: false, reason });
    }
  });

  it('keeps the newer checkpoint when the server serves one signed earlier, and refuses a larger one signed earlier', () => {
    const [before, after] = [new Date('2026-12-01T10:00:00Z'), new Date('2026-12-01T11:00:00Z')];
    expect(checkWitness({ saved: honest.note(3, after), latest: honest.note(3, before), proof: [], logKey: signer, origin })).toMatchObject({ ok: true, newer: false, checkpoint: { size: 3, extensions: [timestampLine(after)] } });
    expect(checkWitness({ saved: honest.note(3, before), latest: honest.note(3, after), proof: [], logKey: signer, origin })).toMatchObject({ ok: true, newer: true, checkpoint: { extensions: [timestampLine(after)] } });
    expect(checkWitness({ saved: honest.note(3, after), latest: honest.note(7, before), proof: honest.proof(3, 7), logKey: signer, origin })).toMatchObject({
      ok: false,
      reason: "the server's checkpoint of size 7 is timestamped 2026-12-01T10:00:00.000Z, before the one of size 3 seen earlier (2026-12-01T11:00:00.000Z): its signed times go back",
    });
  });
});
