import { scryptAsync } from '@noble/hashes/scrypt.js';
import { openKeyFile, readKeyFile, sealKeyFile, type KeyFile, type Scrypt, type SecretKeyPair } from '../../src/crypto/key-file-format';
import type { Session } from './session';
import { Refusal } from './refusal';

/**
 * Portable keys: the CLI's passphrase-encrypted key file (src/crypto/key-file-format.ts), made,
 * opened and downloaded in the browser. scrypt is @noble/hashes' (WebCrypto has none); yielding
 * to the page while it runs keeps the console responsive.
 */
const scrypt: Scrypt = (passphrase, salt, { N, r, p }, dkLen) => scryptAsync(passphrase, salt, { N, r, p, dkLen, asyncTick: 50 });

/** PKCS#8 of an Ed25519 seed (RFC 8410): how WebCrypto takes a raw secret key. */
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** A non-extractable WebCrypto key of a seed: the seed itself is wiped. */
export async function signingKeyOf(secretKey: Uint8Array): Promise<CryptoKey> {
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + secretKey.length);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(secretKey, PKCS8_PREFIX.length);
  try {
    return await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
  } finally {
    pkcs8.fill(0);
    secretKey.fill(0);
  }
}

export const sealPortable = (key: SecretKeyPair, session: Session, passphrase: string, createdAt: string): Promise<KeyFile> =>
  sealKeyFile(key, { orgId: session.orgId, agentId: session.agentId }, passphrase, createdAt, scrypt);

/** Opens a key file with its passphrase into a key that can sign (and not be read out). */
export async function unlockPortable(file: KeyFile, passphrase: string): Promise<CryptoKey> {
  const opened = await openKeyFile(file, passphrase, scrypt);
  if (opened === 'WRONG_PASSPHRASE') throw new Refusal(`Wrong passphrase for the signature key ${file.fingerprint.slice(0, 16)}… (or its key file was altered). Nothing was signed.`);
  if (opened === 'DAMAGED') throw new Refusal(`The key file of ${file.fingerprint.slice(0, 16)}… is damaged: its secret key does not match its public key.`);
  return signingKeyOf(opened.secretKey);
}

/** A key file chosen by the user: refused unless it is a sound ztkeys key file of the signed-in agent. */
export function readPortable(text: string, name: string, session: Session): KeyFile {
  const read = readKeyFile(text);
  if ('problem' in read) throw new Refusal(`Key file ${name} cannot be used: ${read.problem}.`);
  const { file } = read;
  if (file.orgId !== session.orgId || file.agentId !== session.agentId)
    throw new Refusal(`Key file ${name} belongs to ${file.agentId} in ${file.orgId}, not to you (${session.agentId} in ${session.orgId}).`);
  return file;
}

/** Offers the key file as a download, named as the CLI names its files. */
export function downloadPortable(file: KeyFile): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: `${file.fingerprint}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
