import { createHash, createPublicKey, verify } from 'node:crypto';
import { signCheckpoint } from '../../src/transparency/checkpoint';
import { cosignatureLine, cosignerFromSeed, cosignerKeyText, parseCosignerKey, verifyCosignatures } from '../../src/transparency/cosignature';
import { InvalidNote, parseNote, parseVerifierKey, signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';

const log = signerFromSeed('example.com/log', Buffer.alloc(32, 1));
const witness = cosignerFromSeed('witness.example/w1', Buffer.alloc(32, 2));
const other = cosignerFromSeed('witness.example/w2', Buffer.alloc(32, 3));
const note = signCheckpoint({ origin: 'example.com/log/acme', size: 5, rootHash: Buffer.alloc(32, 9), extensions: ['timestamp 2026-12-05T01:00:00.000Z'] }, log);
const { text } = parseNote(note);
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

describe('C2SP tlog-cosignature, cosignature/v1 (Ed25519)', () => {
  it('names the key by SHA-256(name || 0x0A || 0x04 || key)[:4], and reads its verifier key text back; a log key (type 0x01) is no witness key', () => {
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from('witness.example/w1\n\x04', 'latin1'), witness.publicKey])).digest().readUInt32BE(0);
    expect(witness.keyId).toBe(expected);
    expect(parseCosignerKey(cosignerKeyText(witness))).toEqual({ name: witness.name, keyId: witness.keyId, publicKey: witness.publicKey });
    expect(() => parseCosignerKey(verifierKeyText(log))).toThrow(InvalidNote);
    expect(() => parseVerifierKey(cosignerKeyText(witness))).toThrow(InvalidNote);
  });

  it('signs "cosignature/v1\\ntime <t>\\n" and the note text, the line carrying key id || u64 big-endian time || signature', () => {
    const line = cosignatureLine(witness, text, 1_764_896_400);
    const [dash, name, encoded] = line.trimEnd().split(' ');
    expect([dash, name]).toEqual(['\u2014', 'witness.example/w1']);
    const bytes = Buffer.from(encoded, 'base64');
    expect(bytes).toHaveLength(4 + 8 + 64);
    expect(bytes.readUInt32BE(0)).toBe(witness.keyId);
    expect(bytes.readBigUInt64BE(4)).toBe(1_764_896_400n);
    const message = Buffer.from(`cosignature/v1\ntime 1764896400\n${text}`, 'utf8');
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, witness.publicKey]), format: 'der', type: 'spki' });
    expect(verify(null, message, key, bytes.subarray(12))).toBe(true);
  });

  it('counts each given witness once, ignores other keys (the log key among them), and rejects the note for a known line that does not verify', () => {
    const cosigned = note + cosignatureLine(witness, text, 100) + cosignatureLine(witness, text, 200) + cosignatureLine(other, text, 100);
    expect(verifyCosignatures(cosigned, [witness])).toEqual([{ witness, timestamp: 100 }]);
    expect(verifyCosignatures(cosigned, [witness, other]).map(({ witness: { name } }) => name)).toEqual([witness.name, other.name]);
    expect(verifyCosignatures(note, [witness])).toEqual([]);
    // A cosignature of another checkpoint moved onto this one, and one whose time was changed.
    const elsewhere = parseNote(signCheckpoint({ origin: 'example.com/log/acme', size: 6, rootHash: Buffer.alloc(32, 8), extensions: [] }, log)).text;
    expect(() => verifyCosignatures(note + cosignatureLine(witness, elsewhere, 100), [witness])).toThrow(/does not verify/);
    const line = Buffer.from(cosignatureLine(witness, text, 100).trimEnd().split(' ')[2], 'base64');
    line.writeBigUInt64BE(101n, 4);
    expect(() => verifyCosignatures(`${note}\u2014 ${witness.name} ${line.toString('base64')}\n`, [witness])).toThrow(/does not verify/);
  });
});
