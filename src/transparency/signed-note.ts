import type { KeyObject } from 'node:crypto';
import { encodeBase64url } from '../crypto/base64url';
import { sha256 } from '../crypto/crypto-primitives';
import { verifyEd25519 } from '../crypto/ed25519-verify';
import { nodeCrypto } from '../crypto/node-crypto';

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys (signature type 0x01), the
 * format of Go's golang.org/x/mod/sumdb/note: texts signed here open there and the other way round.
 */

export class InvalidNote extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidNote';
  }
}

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
/** Go's note.Open caps signatures at 100; so do we, so a huge note costs nothing. */
const MAX_SIGNATURES = 100;
/**
 * Far past any note of ours (a checkpoint with 100 cosignatures is about 11 KB), as the CLI bounds
 * a note it reads from a file: a checkpoint a hostile server padded with 75 signature lines of
 * 800 KB by keys no one knows (ignored, the note opening) was kept by the CLI's witness in
 * profiles.json (61 MB), and every later command read it (7-8 s).
 */
export const MAX_NOTE_LENGTH = 64 * 1024;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX_LENGTH = 12;

export interface NoteVerifier {
  name: string;
  /** uint32 key id, the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), big-endian. */
  keyId: number;
  publicKey: Buffer;
}

export interface NoteSigner extends NoteVerifier {
  privateKey: KeyObject;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Buffer;
}

/** A key name is non-empty UTF-8 without Unicode spaces or '+'. */
function checkName(name: string): void {
  if (name === '' || /[\s+]/u.test(name)) throw new InvalidNote(`"${name}" is not a key name: it must be non-empty, without spaces or '+'`);
}

/** The key id of a key of signature type `type` (0x01 for a log's Ed25519 key, 0x04 for a witness's cosignature/v1 key). */
export function noteKeyId(name: string, publicKey: Uint8Array, type = ED25519): number {
  checkName(name);
  return sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), publicKey).readUInt32BE(0);
}

export const hex8 = (keyId: number): string => keyId.toString(16).padStart(8, '0');

/** The text of a key: name+hex(key id)+base64(type || key bytes). */
export const keyText = (name: string, keyId: number, type: number, key: Uint8Array): string =>
  `${name}+${hex8(keyId)}+${Buffer.concat([Buffer.from([type]), key]).toString('base64')}`;

/** The verifier key text: name+hex(key id)+base64(0x01 || public key). */
export const verifierKeyText = ({ name, keyId, publicKey }: NoteVerifier): string => keyText(name, keyId, ED25519, publicKey);

/** Splits name+hex8+base64 of an Ed25519 key of signature type `type`: the name holds no '+' but base64 may, so only the first two split. */
export function parseKeyText(text: string, what: string, type = ED25519): { name: string; keyId: number; key: Buffer } {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new InvalidNote(`malformed ${what}`);
  const [name, id, encoded] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (!/^[0-9a-f]{8}$/.test(id)) throw new InvalidNote(`malformed ${what}: the key id is 8 lower-case hex digits`);
  checkName(name);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64') !== encoded || bytes.length !== 33 || bytes[0] !== type) {
    throw new InvalidNote(`malformed ${what}: not a base64 Ed25519 key (type 0x${type.toString(16).padStart(2, '0')}, 32 bytes)`);
  }
  return { name, keyId: Number.parseInt(id, 16), key: bytes.subarray(1) };
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, keyId, key } = parseKeyText(vkey.trim(), 'verifier key');
  if (noteKeyId(name, key) !== keyId) throw new InvalidNote(`verifier key id ${hex8(keyId)} does not match its name and key`);
  return { name, keyId, publicKey: key };
}

/** A signer from an Ed25519 seed (the 32-byte private key of RFC 8032). */
export function signerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  if (seed.length !== 32) throw new InvalidNote('an Ed25519 private key is a 32-byte seed');
  // Signing is the server's (node:crypto); the web console only verifies.
  const { createPrivateKey, createPublicKey } = nodeCrypto();
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX_LENGTH);
  return { name, keyId: noteKeyId(name, publicKey), publicKey, privateKey };
}

/** The signer key text of Go's note package: PRIVATE+KEY+name+hex(key id)+base64(0x01 || seed). */
export function parseSignerKey(skey: string): NoteSigner {
  const text = skey.trim();
  if (!text.startsWith('PRIVATE+KEY+')) throw new InvalidNote('malformed signer key: it starts with PRIVATE+KEY+');
  const { name, keyId, key } = parseKeyText(text.slice('PRIVATE+KEY+'.length), 'signer key');
  const signer = signerFromSeed(name, key);
  if (signer.keyId !== keyId) throw new InvalidNote(`signer key id ${hex8(keyId)} does not match its name and key`);
  return signer;
}

/** The 32-byte seed of a signer's private key. */
export const signerSeed = (signer: NoteSigner): Buffer => signer.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);

export const signerKeyText = (signer: NoteSigner): string => `PRIVATE+KEY+${keyText(signer.name, signer.keyId, ED25519, signerSeed(signer))}`;

/** Note text: non-empty UTF-8 lines each ending in a newline, none empty, no other control character. */
function checkText(text: string): void {
  if (!text.endsWith('\n') || text.includes('\n\n') || text.startsWith('\n')) {
    throw new InvalidNote('note text must be non-empty lines, each ending in a newline');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text) || Buffer.from(text, 'utf8').toString('utf8') !== text) {
    throw new InvalidNote('note text must be UTF-8 without control characters other than newline');
  }
}

export const signatureLine = ({ name, keyId, signature }: NoteSignature): string => {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId);
  return `${SIGNATURE_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
};

/** Signs `text` with each signer; returns the whole note: text, blank line, one signature line each. */
export function signNote(text: string, signers: NoteSigner[]): string {
  checkText(text);
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => signatureLine({ ...signer, signature: nodeCrypto().sign(null, message, signer.privateKey) }));
  return `${text}\n${lines.join('')}`;
}

export function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new InvalidNote('a signature line starts with an em dash and a space');
  const [name, encoded, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
  if (rest.length > 0 || encoded === undefined) throw new InvalidNote('a signature line is "— name signature"');
  checkName(name);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64') !== encoded || bytes.length < 5) throw new InvalidNote('a signature is base64 of a key id and signature bytes');
  return { name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

/** Splits a note into its text and signatures, checking their syntax only. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (note.length > MAX_NOTE_LENGTH) throw new InvalidNote(`a note is at most ${MAX_NOTE_LENGTH} characters long, this one ${note.length}`);
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new InvalidNote('a note is text, a blank line and signature lines');
  const text = note.slice(0, split + 1);
  checkText(text);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new InvalidNote(`a note carries at most ${MAX_SIGNATURES} signatures`);
  return { text, signatures: lines.map(parseSignatureLine) };
}

/**
 * Opens a note: its text once at least one known key signed it. Signatures by keys not given are
 * ignored (a witness may cosign); a bad signature by a known key rejects the whole note, as the
 * spec and Go's note.Open do. `verified` is the note as far as it was checked: its text and the
 * signature lines that verified it, for whoever keeps it (lines it ignored are no one's word).
 */
export function openNote(note: string, verifiers: NoteVerifier[]): { text: string; verifiedBy: NoteVerifier[]; verified: string } {
  const { text, signatures } = parseNote(note);
  const message = Buffer.from(text, 'utf8');
  const verifiedBy: NoteVerifier[] = [];
  const checked: NoteSignature[] = [];
  for (const signed of signatures) {
    const { name, keyId, signature } = signed;
    const verifier = verifiers.find((known) => known.name === name && known.keyId === keyId);
    if (!verifier || verifiedBy.includes(verifier)) continue;
    if (!verifyEd25519(encodeBase64url(verifier.publicKey), message, encodeBase64url(signature))) {
      throw new InvalidNote(`the signature of ${name}+${hex8(keyId)} does not verify`);
    }
    verifiedBy.push(verifier);
    checked.push(signed);
  }
  if (verifiedBy.length === 0) throw new InvalidNote('no signature by a known key');
  return { text, verifiedBy, verified: `${text}\n${checked.map(signatureLine).join('')}` };
}
