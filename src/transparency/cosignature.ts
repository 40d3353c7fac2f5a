import { encodeBase64url } from '../crypto/base64url';
import { verifyEd25519 } from '../crypto/ed25519-verify';
import { nodeCrypto } from '../crypto/node-crypto';
import {
  InvalidNote,
  hex8,
  keyText,
  noteKeyId,
  parseKeyText,
  parseNote,
  signatureLine,
  signerFromSeed,
  signerSeed,
  type NoteSigner,
  type NoteVerifier,
} from './signed-note';

/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), its Ed25519 type "cosignature/v1": a
 * witness's statement that, as of its timestamp, the checkpoint is the largest consistent tree it
 * saw of the log. Signature type 0x04 (key id SHA-256(name || 0x0A || 0x04 || key)[:4]), signature
 * bytes u64 big-endian timestamp || Ed25519 over "cosignature/v1\ntime <t>\n" || the note's text.
 */
export const COSIGNATURE_V1 = 0x04;
const TIMESTAMPED_SIGNATURE_BYTES = 8 + 64;

/** A witness's verifier key: a NoteVerifier whose key id is of type 0x04. */
export type CosignerVerifier = NoteVerifier;

/** A witness's signing key. */
export type Cosigner = NoteSigner;

export function cosignerFromSeed(name: string, seed: Uint8Array): Cosigner {
  const signer = signerFromSeed(name, seed);
  return { ...signer, keyId: noteKeyId(name, signer.publicKey, COSIGNATURE_V1) };
}

/** name+hex(key id)+base64(0x04 || public key): what a log and an auditor are told of a witness. */
export const cosignerKeyText = ({ name, keyId, publicKey }: CosignerVerifier): string => keyText(name, keyId, COSIGNATURE_V1, publicKey);

export function parseCosignerKey(vkey: string): CosignerVerifier {
  const { name, keyId, key } = parseKeyText(vkey.trim(), 'witness verifier key', COSIGNATURE_V1);
  if (noteKeyId(name, key, COSIGNATURE_V1) !== keyId) throw new InvalidNote(`witness verifier key id ${hex8(keyId)} does not match its name and key`);
  return { name, keyId, publicKey: key };
}

/** The private key text, as Go's note package writes one but of type 0x04: PRIVATE+KEY+name+hex(key id)+base64(0x04 || seed). */
export const cosignerSignerKeyText = (cosigner: Cosigner): string => `PRIVATE+KEY+${keyText(cosigner.name, cosigner.keyId, COSIGNATURE_V1, signerSeed(cosigner))}`;

export function parseCosignerSignerKey(skey: string): Cosigner {
  const text = skey.trim();
  if (!text.startsWith('PRIVATE+KEY+')) throw new InvalidNote('malformed witness signer key: it starts with PRIVATE+KEY+');
  const { name, keyId, key } = parseKeyText(text.slice('PRIVATE+KEY+'.length), 'witness signer key', COSIGNATURE_V1);
  const cosigner = cosignerFromSeed(name, key);
  if (cosigner.keyId !== keyId) throw new InvalidNote(`witness signer key id ${hex8(keyId)} does not match its name and key`);
  return cosigner;
}

const signedMessage = (noteText: string, timestamp: number | bigint): Buffer => Buffer.from(`cosignature/v1\ntime ${timestamp}\n${noteText}`, 'utf8');

/** The cosignature line of `noteText` (a checkpoint's text, without signatures) at `timestamp` (POSIX seconds). */
export function cosignatureLine(cosigner: Cosigner, noteText: string, timestamp: number): string {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timestamp));
  const signature = nodeCrypto().sign(null, signedMessage(noteText, timestamp), cosigner.privateKey);
  return signatureLine({ name: cosigner.name, keyId: cosigner.keyId, signature: Buffer.concat([time, signature]) });
}

export interface Cosigned {
  witness: CosignerVerifier;
  /** When the witness cosigned, POSIX seconds. */
  timestamp: number;
}

/**
 * The given witnesses that cosigned the note, each once. Lines of other keys are ignored (the log's
 * own signature among them); a line of a given witness that does not verify rejects the note, as
 * a bad signature by a known key does in signed-note.
 */
export function verifyCosignatures(note: string, witnesses: readonly CosignerVerifier[]): Cosigned[] {
  const { text, signatures } = parseNote(note);
  const cosigned: Cosigned[] = [];
  for (const { name, keyId, signature } of signatures) {
    const witness = witnesses.find((known) => known.name === name && known.keyId === keyId);
    if (!witness || cosigned.some((seen) => seen.witness === witness)) continue;
    const timestamp = signature.length === TIMESTAMPED_SIGNATURE_BYTES ? signature.readBigUInt64BE(0) : undefined;
    if (
      timestamp === undefined ||
      timestamp >= 2n ** 63n ||
      !verifyEd25519(encodeBase64url(witness.publicKey), signedMessage(text, timestamp), encodeBase64url(signature.subarray(8)))
    ) {
      throw new InvalidNote(`the cosignature of ${name}+${hex8(keyId)} does not verify`);
    }
    cosigned.push({ witness, timestamp: Number(timestamp) });
  }
  return cosigned;
}
