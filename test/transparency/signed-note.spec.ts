import { generateKeyPairSync } from 'node:crypto';
import {
  InvalidNote,
  noteKeyId,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  signerFromSeed,
  signerKeyText,
  verifierKeyText,
} from '../../src/transparency/signed-note';

/** golang.org/x/mod/sumdb/note: the package documentation and note_test.go (PeterNeumann, EnochRoot). */
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

/** The example of the C2SP signed-note specification (https://c2sp.org/signed-note). */
const C2SP_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

/** The Go checksum database's key (pinned in every Go toolchain; its base64 holds '+') and one of its published checkpoints. */
const SUMDB_VKEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_CHECKPOINT =
  'go.sum database tree\n49189689\nftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n\n— sum.golang.org Az3grlKZssqRoMNPpZfKt0TphbbcF+pzXqElURJKRNFKfaUAgqeI5k2AORH0QAhg/ebRwyIqD/OqP4oLtLnNumvOBAM=\n';

describe('C2SP signed-note', () => {
  it('signs the Go note vector byte for byte with the Go signer key', () => {
    const peter = parseSignerKey(PETER_SKEY);
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(verifierKeyText(peter)).toBe(PETER_VKEY);
    expect(signerKeyText(peter)).toBe(PETER_SKEY);
    expect(signNote(PETER_TEXT, [peter])).toBe(PETER_NOTE);
  });

  it('opens the notes of Go, of the C2SP spec and of sum.golang.org with their verifier keys', () => {
    expect(openNote(PETER_NOTE, [parseVerifierKey(PETER_VKEY)]).text).toBe(PETER_TEXT);
    expect(openNote(C2SP_NOTE, [parseVerifierKey(C2SP_VKEY)]).text).toBe('This is an example message.\n');
    expect(openNote(SUMDB_CHECKPOINT, [parseVerifierKey(SUMDB_VKEY)]).text).toBe('go.sum database tree\n49189689\nftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n');
  });

  it('computes key ids as SHA-256(name || 0x0A || 0x01 || key)[:4] and writes verifier keys back unchanged', () => {
    for (const vkey of [PETER_VKEY, ENOCH_VKEY, C2SP_VKEY, SUMDB_VKEY]) {
      const verifier = parseVerifierKey(vkey);
      expect(noteKeyId(verifier.name, verifier.publicKey)).toBe(verifier.keyId);
      expect(verifierKeyText(verifier)).toBe(vkey);
    }
  });

  it('refuses malformed verifier keys (cases of Go note_test.go)', () => {
    for (const bad of [
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3',
    ]) {
      expect(() => parseVerifierKey(bad)).toThrow(InvalidNote);
    }
  });

  it('ignores signatures by unknown keys, and needs one by a known key', () => {
    const enoch = parseVerifierKey(ENOCH_VKEY);
    expect(() => openNote(PETER_NOTE, [enoch])).toThrow('no signature by a known key');
    const other = signerFromSeed('Witness', Buffer.alloc(32, 7));
    const cosigned = signNote(PETER_TEXT, [parseSignerKey(PETER_SKEY), other]);
    expect(openNote(cosigned, [parseVerifierKey(PETER_VKEY)]).verifiedBy.map((v) => v.name)).toEqual(['PeterNeumann']);
    expect(openNote(cosigned, [parseVerifierKey(PETER_VKEY), other]).verifiedBy).toHaveLength(2);
  });

  it('rejects a changed text, a changed signature, and a known key whose signature fails', () => {
    const peter = [parseVerifierKey(PETER_VKEY)];
    expect(() => openNote(PETER_NOTE.replace('cryptography', 'Cryptography'), peter)).toThrow(InvalidNote);
    const flipped = PETER_NOTE.replace('x08go/ZJ', 'x08go/ZK');
    expect(() => openNote(flipped, peter)).toThrow('does not verify');
    // Same name and key id, another key: a forged note by someone who knows the key id.
    const { privateKey } = generateKeyPairSync('ed25519');
    const forger = { ...parseSignerKey(PETER_SKEY), privateKey };
    expect(() => openNote(signNote(PETER_TEXT, [forger]), peter)).toThrow('does not verify');
  });

  it("decides by a known key's first signature line, as Go's note.Open does: a bad one first rejects the note, a line of that key after a good one is skipped", () => {
    const peter = [parseVerifierKey(PETER_VKEY)];
    const good = PETER_NOTE.split('\n').at(-2)!;
    const bad = good.replace('x08go/ZJ', 'x08go/ZK');
    expect(() => openNote(`${PETER_TEXT}\n${bad}\n${good}\n`, peter)).toThrow('does not verify');
    // What it verified is the text and that good line: the line skipped is no part of it.
    expect(openNote(`${PETER_TEXT}\n${good}\n${bad}\n`, peter)).toEqual({ text: PETER_TEXT, verifiedBy: peter, verified: `${PETER_TEXT}\n${good}\n` });
  });

  it('refuses notes that are not notes', () => {
    const signer = signerFromSeed('log', Buffer.alloc(32, 1));
    expect(() => signNote('no newline', [signer])).toThrow(InvalidNote);
    expect(() => signNote('a\n\nb\n', [signer])).toThrow(InvalidNote);
    expect(() => signNote('tab\there\n', [signer])).toThrow(InvalidNote);
    expect(() => parseNote(PETER_TEXT)).toThrow(InvalidNote);
    expect(() => parseNote(`${PETER_TEXT}\n-- PeterNeumann x08g\n`)).toThrow(InvalidNote);
    expect(() => parseNote(`${PETER_TEXT}\n${'— a AAAAAAA=\n'.repeat(101)}`)).toThrow('at most 100');
  });
});
