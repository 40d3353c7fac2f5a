import { createHash } from 'node:crypto';
import { decodeBase64url } from './base64url';

/** Domain-separation tag: no other hash in the system starts with these bytes. */
const TAG = 'ztkeys/verification-code/v1';
const DIGITS = 15n; // 10^15 > 2^49.8: at least 40 bits, as R5 requires
const MODULUS = 10n ** DIGITS;

const lengthPrefixed = (bytes: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/**
 * R5 verification code, documented in README so clients compute it themselves:
 * SHA-256 over four fields, each prefixed by its length as 4 bytes big-endian: the tag, the UTF-8
 * orgId, the UTF-8 agentId and the raw 32-byte public key;
 * the first 8 bytes as a big-endian unsigned integer, modulo 10^15, as 15 digits in groups of 3.
 */
export function verificationCode(orgId: string, agentId: string, publicKey: string): string {
  const raw = decodeBase64url(publicKey);
  if (!raw) throw new TypeError('public key is not base64url');
  const digest = createHash('sha256')
    .update(lengthPrefixed(Buffer.from(TAG, 'utf8')))
    .update(lengthPrefixed(Buffer.from(orgId, 'utf8')))
    .update(lengthPrefixed(Buffer.from(agentId, 'utf8')))
    .update(lengthPrefixed(raw))
    .digest();
  const digits = (digest.readBigUInt64BE(0) % MODULUS).toString().padStart(Number(DIGITS), '0');
  return digits.match(/\d{3}/g)!.join('-');
}

/** Codes compare without their separators, so "123 456" and "123-456" match. */
export const sameVerificationCode = (a: string, b: string): boolean =>
  a.replace(/[^0-9]/g, '') === b.replace(/[^0-9]/g, '') && a.replace(/[^0-9]/g, '').length === Number(DIGITS);
