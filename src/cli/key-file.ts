import { scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { openKeyFile, readKeyFile, sealKeyFile, type KeyFile, type KeyOwner, type Scrypt } from '../crypto/key-file-format';
import { checkFailed } from './cli-error';
import type { UnlockedKey } from './signature-key';

/** The key file format is shared with the web console (src/crypto/key-file-format.ts): one file opens in both. */
export { SCRYPT_PARAMS, type KeyFile, type KeyOwner } from '../crypto/key-file-format';

/** node's native scrypt: the same RFC 7914 function the console runs through @noble/hashes. */
const scrypt: Scrypt = (passphrase, salt, { N, r, p }, keyLength) => {
  // scrypt needs 128·N·r bytes; node refuses above 32 MiB unless maxmem says otherwise.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCallback(passphrase, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
};

/** Encrypts a secret key under a passphrase: scrypt derives the AES-256-GCM key. */
export const sealKey = (key: UnlockedKey, owner: KeyOwner, passphrase: string, createdAt: string): Promise<KeyFile> =>
  sealKeyFile(key, owner, passphrase, createdAt, scrypt);

/** Parses and checks the shape of a key file; anything unexpected is refused before any work. */
export function parseKeyFile(text: string, path: string): KeyFile {
  const read = readKeyFile(text);
  if ('problem' in read) throw checkFailed(`Key file ${path} cannot be used: ${read.problem}.`);
  return read.file;
}

/**
 * Decrypts a key file. A wrong passphrase and an edited file look alike to AES-GCM; both are a
 * clear CHECK_FAILED error, and the decrypted key must still produce the recorded public key.
 */
export async function openKey(file: KeyFile, passphrase: string): Promise<UnlockedKey> {
  const opened = await openKeyFile(file, passphrase, scrypt);
  if (opened === 'WRONG_PASSPHRASE')
    throw checkFailed(`Wrong passphrase for the signature key ${file.fingerprint.slice(0, 16)}… (or its key file was altered). Nothing was signed.`);
  if (opened === 'DAMAGED') throw checkFailed(`Key file of ${file.fingerprint.slice(0, 16)}… is damaged: its secret key does not match its public key.`);
  return opened;
}
