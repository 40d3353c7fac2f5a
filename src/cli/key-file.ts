import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import canonicalize from 'canonicalize';
import { decodeBase64url, encodeBase64url } from '../crypto/base64url';
import { fingerprint } from '../crypto/public-key';
import { checkFailed } from './cli-error';
import { publicKeyOf, type UnlockedKey } from './signature-key';

/** Identifies ztkeys key files; the version changes with any change of the format. */
const FORMAT = 'ztkeys-signature-key';
const VERSION = 1;

/**
 * scrypt N=2^17, r=8, p=1: 128 MiB and about half a second per guess on a laptop, so a stolen
 * key file resists offline guessing far better than with the usual interactive N=2^14.
 */
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Bounds for parameters read from a file: a crafted file must neither weaken nor exhaust. */
const SCRYPT_BOUNDS = { logN: [15, 20], r: [8, 32], p: [1, 4] } as const;
const SCRYPT_MAX_MEMORY = 1024 ** 3;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

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

const scrypt = (passphrase: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> => {
  // scrypt needs 128·N·r bytes; node refuses above 32 MiB unless maxmem says otherwise.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
};

/** Everything but the cipher output, as RFC 8785 JSON: the AEAD's associated data. */
const associatedData = (file: Omit<KeyFile, 'cipher' | 'ciphertext'>): Buffer =>
  Buffer.from(
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
    'utf8',
  );

/** Encrypts a secret key under a passphrase: scrypt derives the AES-256-GCM key. */
export async function sealKey(
  key: UnlockedKey,
  owner: KeyOwner,
  passphrase: string,
  createdAt: string,
): Promise<KeyFile> {
  const params = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_LENGTH);
  const iv = randomBytes(IV_LENGTH);
  const header = {
    format: FORMAT,
    version: VERSION,
    orgId: owner.orgId,
    agentId: owner.agentId,
    publicKey: key.publicKey,
    fingerprint: key.fingerprint,
    createdAt,
    kdf: { name: 'scrypt', salt: encodeBase64url(salt), ...params },
  } as const;
  const aesKey = await scrypt(passphrase, salt, params);
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(associatedData(header));
  const ciphertext = Buffer.concat([cipher.update(key.secretKey), cipher.final()]);
  aesKey.fill(0);
  return {
    ...header,
    cipher: { name: 'aes-256-gcm', iv: encodeBase64url(iv), tag: encodeBase64url(cipher.getAuthTag()) },
    ciphertext: encodeBase64url(ciphertext),
  };
}

const isPowerOfTwoIn = (n: number, [low, high]: readonly [number, number]): boolean =>
  Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && Math.log2(n) >= low && Math.log2(n) <= high;
const isIntegerIn = (n: number, [low, high]: readonly [number, number]): boolean =>
  Number.isInteger(n) && n >= low && n <= high;

/** Parses and checks the shape of a key file; anything unexpected is refused before any work. */
export function parseKeyFile(text: string, path: string): KeyFile {
  const damaged = (why: string) => checkFailed(`Key file ${path} cannot be used: ${why}.`);
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch {
    throw damaged('it is not JSON');
  }
  if (file?.format !== FORMAT) throw damaged('it is not a ztkeys key file');
  if (file.version !== VERSION) throw damaged(`format version ${String(file.version)} is not supported (this ztkeys reads version ${VERSION})`);
  const { kdf, cipher } = file;
  if (
    kdf?.name !== 'scrypt' ||
    !isPowerOfTwoIn(kdf.N, SCRYPT_BOUNDS.logN) ||
    !isIntegerIn(kdf.r, SCRYPT_BOUNDS.r) ||
    !isIntegerIn(kdf.p, SCRYPT_BOUNDS.p) ||
    128 * kdf.N * kdf.r > SCRYPT_MAX_MEMORY
  )
    throw damaged('its key derivation parameters are outside the accepted bounds');
  if (cipher?.name !== 'aes-256-gcm') throw damaged('its cipher is not AES-256-GCM');
  const lengths: Array<[unknown, number]> = [
    [kdf.salt, SALT_LENGTH],
    [cipher.iv, IV_LENGTH],
    [cipher.tag, TAG_LENGTH],
    [file.ciphertext, KEY_LENGTH],
    [file.publicKey, KEY_LENGTH],
  ];
  for (const [value, length] of lengths)
    if (typeof value !== 'string' || decodeBase64url(value)?.length !== length) throw damaged('a field has the wrong size');
  for (const field of ['orgId', 'agentId', 'createdAt'] as const)
    if (typeof file[field] !== 'string') throw damaged(`${field} is missing`);
  if (file.fingerprint !== fingerprint(file.publicKey)) throw damaged('its fingerprint does not match its public key');
  return file;
}

/**
 * Decrypts a key file. A wrong passphrase and an edited file look alike to AES-GCM; both are a
 * clear CHECK_FAILED error, and the decrypted key must still produce the recorded public key.
 */
export async function openKey(file: KeyFile, passphrase: string): Promise<UnlockedKey> {
  const aesKey = await scrypt(passphrase, decodeBase64url(file.kdf.salt)!, file.kdf);
  const decipher = createDecipheriv('aes-256-gcm', aesKey, decodeBase64url(file.cipher.iv)!, { authTagLength: TAG_LENGTH });
  decipher.setAAD(associatedData(file));
  decipher.setAuthTag(decodeBase64url(file.cipher.tag)!);
  let secretKey: Uint8Array;
  try {
    secretKey = new Uint8Array(Buffer.concat([decipher.update(decodeBase64url(file.ciphertext)!), decipher.final()]));
  } catch {
    throw checkFailed(`Wrong passphrase for the signature key ${file.fingerprint.slice(0, 16)}… (or its key file was altered). Nothing was signed.`);
  } finally {
    aesKey.fill(0);
  }
  const publicKey = await publicKeyOf(secretKey);
  if (publicKey !== file.publicKey) throw checkFailed(`Key file of ${file.fingerprint.slice(0, 16)}… is damaged: its secret key does not match its public key.`);
  return { publicKey, fingerprint: file.fingerprint, secretKey };
}
