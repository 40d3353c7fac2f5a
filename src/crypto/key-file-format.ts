import * as ed from '@noble/ed25519';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';
import { TEXT_OF_ONE_LINE } from '../shared/hidden-characters';
import { isoInstant } from '../shared/iso-instant';
import { decodeBase64urlBytes, encodeBase64urlBytes } from './base64url-bytes';

/**
 * The portable, passphrase-encrypted signature key file, one format for the CLI (node) and the
 * web console (browser), so a file written by one opens in the other. No Node built-ins: AES-GCM
 * is WebCrypto's (node and browsers alike); scrypt comes in as a function, node's native one in
 * the CLI, @noble/hashes' in the browser (the same RFC 7914 function).
 */

/** Identifies ztkeys key files; the version changes with any change of the format. */
const FORMAT = 'ztkeys-signature-key';
const VERSION = 1;

/**
 * scrypt N=2^17, r=8, p=1: 128 MiB and about half a second per guess on a laptop, so a stolen
 * key file resists offline guessing far better than with the usual interactive N=2^14.
 */
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
/** New passphrases shorter than this (in characters) are refused: the KDF slows guessing, it cannot fix a guessable secret. */
export const MIN_PASSPHRASE_LENGTH = 12;
/** Bounds for parameters read from a file: a crafted file must neither weaken nor exhaust. */
const SCRYPT_BOUNDS = { logN: [15, 20], r: [8, 32], p: [1, 4] } as const;
const SCRYPT_MAX_MEMORY = 1024 ** 3;
export const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** scrypt of the (NFC-normalised) passphrase into a KEY_LENGTH-byte key. */
export type Scrypt = (passphrase: string, salt: Uint8Array, params: ScryptParams, keyLength: number) => Promise<Uint8Array>;

/** What a key file holds: everything public in clear, the 32-byte Ed25519 secret key only encrypted. */
export interface KeyFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  orgId: string;
  agentId: string;
  publicKey: string;
  fingerprint: string;
  createdAt: string;
  kdf: { name: 'scrypt'; salt: string } & ScryptParams;
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  ciphertext: string;
}

/** The identity a key file belongs to, bound into the encryption so it cannot be edited unnoticed. */
export interface KeyOwner {
  orgId: string;
  agentId: string;
}

/** A key pair in memory: base64url public key, hex fingerprint, 32-byte secret key (seed). */
export interface SecretKeyPair {
  publicKey: string;
  fingerprint: string;
  secretKey: Uint8Array;
}

/** Hex SHA-256 of the raw public key (PRODUCT.md, Signatures). */
const fingerprintOf = (publicKey: Uint8Array): string => bytesToHex(sha256(publicKey));

/** Everything but the cipher output, as RFC 8785 JSON: the AEAD's associated data. */
const associatedData = (file: Omit<KeyFile, 'cipher' | 'ciphertext'>): Uint8Array<ArrayBuffer> =>
  new TextEncoder().encode(
    canonicalize({
      format: file.format,
      version: file.version,
      orgId: file.orgId,
      agentId: file.agentId,
      publicKey: file.publicKey,
      fingerprint: file.fingerprint,
      createdAt: file.createdAt,
      kdf: { name: file.kdf.name, salt: file.kdf.salt, N: file.kdf.N, r: file.kdf.r, p: file.kdf.p },
    })!,
  );

/** A copy on an ArrayBuffer of its own, as WebCrypto's types take it (node's and the DOM's alike). */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

const aesKey = async (scrypt: Scrypt, passphrase: string, salt: Uint8Array, params: ScryptParams, usage: 'encrypt' | 'decrypt') => {
  const raw = await scrypt(passphrase.normalize('NFC'), salt, params, KEY_LENGTH);
  try {
    return await crypto.subtle.importKey('raw', own(raw), 'AES-GCM', false, [usage]);
  } finally {
    raw.fill(0);
  }
};

const bytes = (text: string): Uint8Array => decodeBase64urlBytes(text)!;

/** Encrypts a secret key under a passphrase: scrypt derives the AES-256-GCM key. */
export async function sealKeyFile(key: SecretKeyPair, owner: KeyOwner, passphrase: string, createdAt: string, scrypt: Scrypt): Promise<KeyFile> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const iv = crypto.getRandomValues(new Uint8Array(IV_LENGTH));
  const header = {
    format: FORMAT,
    version: VERSION,
    orgId: owner.orgId,
    agentId: owner.agentId,
    publicKey: key.publicKey,
    fingerprint: key.fingerprint,
    createdAt,
    kdf: { name: 'scrypt', salt: encodeBase64urlBytes(salt), ...SCRYPT_PARAMS },
  } as const;
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(header), tagLength: TAG_LENGTH * 8 },
      await aesKey(scrypt, passphrase, salt, SCRYPT_PARAMS, 'encrypt'),
      own(key.secretKey),
    ),
  );
  // WebCrypto appends the tag to the ciphertext; the file keeps them apart.
  return {
    ...header,
    cipher: { name: 'aes-256-gcm', iv: encodeBase64urlBytes(iv), tag: encodeBase64urlBytes(sealed.subarray(KEY_LENGTH)) },
    ciphertext: encodeBase64urlBytes(sealed.subarray(0, KEY_LENGTH)),
  };
}

const isPowerOfTwoIn = (n: number, [low, high]: readonly [number, number]): boolean =>
  Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && Math.log2(n) >= low && Math.log2(n) <= high;
const isIntegerIn = (n: number, [low, high]: readonly [number, number]): boolean => Number.isInteger(n) && n >= low && n <= high;
const isShownId = (id: string): boolean => id.length >= 1 && id.length <= 128 && TEXT_OF_ONE_LINE.test(id);
/** What toISOString writes, the only creation time a ztkeys key file holds. */
const isInstant = (text: string): boolean => !Number.isNaN(isoInstant(text));

/** Parses and checks the shape of a key file: the file, or why it cannot be used (before any work). */
export function readKeyFile(text: string): { file: KeyFile } | { problem: string } {
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch {
    return { problem: 'it is not JSON' };
  }
  if (file?.format !== FORMAT) return { problem: 'it is not a ztkeys key file' };
  if (file.version !== VERSION) return { problem: `format version ${String(file.version)} is not supported (this ztkeys reads version ${VERSION})` };
  const { kdf, cipher } = file;
  if (
    kdf?.name !== 'scrypt' ||
    !isPowerOfTwoIn(kdf.N, SCRYPT_BOUNDS.logN) ||
    !isIntegerIn(kdf.r, SCRYPT_BOUNDS.r) ||
    !isIntegerIn(kdf.p, SCRYPT_BOUNDS.p) ||
    128 * kdf.N * kdf.r > SCRYPT_MAX_MEMORY
  )
    return { problem: 'its key derivation parameters are outside the accepted bounds' };
  if (cipher?.name !== 'aes-256-gcm') return { problem: 'its cipher is not AES-256-GCM' };
  const lengths: Array<[unknown, number]> = [
    [kdf.salt, SALT_LENGTH],
    [cipher.iv, IV_LENGTH],
    [cipher.tag, TAG_LENGTH],
    [file.ciphertext, KEY_LENGTH],
    [file.publicKey, KEY_LENGTH],
  ];
  for (const [value, length] of lengths)
    if (typeof value !== 'string' || decodeBase64urlBytes(value)?.length !== length) return { problem: 'a field has the wrong size' };
  for (const field of ['orgId', 'agentId', 'createdAt'] as const) if (typeof file[field] !== 'string') return { problem: `${field} is missing` };
  // The file's text is chosen by whoever hands it over, and the console and CLI show these fields as they are.
  for (const field of ['orgId', 'agentId'] as const)
    if (!isShownId(file[field])) return { problem: `${field} is not an id (1 to 128 characters on one line, without control or bidirectional formatting characters)` };
  if (!isInstant(file.createdAt)) return { problem: 'createdAt is not an instant as ISO 8601 writes it (2025-01-01T00:00:00.000Z)' };
  if (file.fingerprint !== fingerprintOf(bytes(file.publicKey))) return { problem: 'its fingerprint does not match its public key' };
  return { file };
}

/**
 * Decrypts a key file. A wrong passphrase and an edited file look alike to AES-GCM (WRONG_PASSPHRASE);
 * a decrypted key that does not produce the recorded public key is DAMAGED.
 */
export async function openKeyFile(file: KeyFile, passphrase: string, scrypt: Scrypt): Promise<SecretKeyPair | 'WRONG_PASSPHRASE' | 'DAMAGED'> {
  const key = await aesKey(scrypt, passphrase, bytes(file.kdf.salt), file.kdf, 'decrypt');
  const sealed = new Uint8Array(KEY_LENGTH + TAG_LENGTH);
  sealed.set(bytes(file.ciphertext));
  sealed.set(bytes(file.cipher.tag), KEY_LENGTH);
  let secretKey: Uint8Array;
  try {
    const iv = own(bytes(file.cipher.iv));
    secretKey = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: associatedData(file), tagLength: TAG_LENGTH * 8 }, key, sealed));
  } catch {
    return 'WRONG_PASSPHRASE';
  }
  const publicKey = encodeBase64urlBytes(await ed.getPublicKeyAsync(secretKey));
  if (publicKey !== file.publicKey) return 'DAMAGED';
  return { publicKey, fingerprint: file.fingerprint, secretKey };
}

/** A new Ed25519 key pair (@noble/ed25519, randomness from the platform's CSPRNG). */
export async function newSecretKeyPair(): Promise<SecretKeyPair> {
  const { secretKey, publicKey } = await ed.keygenAsync();
  return { publicKey: encodeBase64urlBytes(publicKey), fingerprint: fingerprintOf(publicKey), secretKey };
}
