/**
 * The R5 verification code derivation, without I/O or Node built-ins, so the server (node:crypto)
 * and the web console (WebCrypto) hash the same bytes and read the same digits from the digest.
 */

/** Domain-separation tag: no other hash in the system starts with these bytes. */
const TAG = 'ztkeys/verification-code/v1';
const DIGITS = 15n; // 10^15 > 2^49.8: at least 40 bits, as R5 requires
const MODULUS = 10n ** DIGITS;

const lengthPrefixed = (bytes: Uint8Array): Uint8Array => {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
};

/** What SHA-256 hashes: the tag, UTF-8 orgId, UTF-8 agentId and the raw key, each prefixed by its length (4 bytes, big-endian). */
export function verificationCodeMessage(orgId: string, agentId: string, rawPublicKey: Uint8Array): Uint8Array {
  const utf8 = new TextEncoder();
  const parts = [utf8.encode(TAG), utf8.encode(orgId), utf8.encode(agentId), rawPublicKey].map(lengthPrefixed);
  const message = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((offset, part) => (message.set(part, offset), offset + part.length), 0);
  return message;
}

/** The digest's first 8 bytes as a big-endian unsigned integer, modulo 10^15, as 15 digits in groups of 3. */
export function verificationCodeFromDigest(digest: Uint8Array): string {
  const n = new DataView(digest.buffer, digest.byteOffset, digest.byteLength).getBigUint64(0);
  return (n % MODULUS).toString().padStart(Number(DIGITS), '0').match(/\d{3}/g)!.join('-');
}

/** Codes compare without their separators, so "123 456" and "123-456" match. */
export const sameVerificationCode = (a: string, b: string): boolean =>
  a.replace(/[^0-9]/g, '') === b.replace(/[^0-9]/g, '') && a.replace(/[^0-9]/g, '').length === Number(DIGITS);

/** The longest text an approver may type for a code: its 15 digits and room for separators. */
export const MAX_VERIFICATION_CODE_LENGTH = 42;

/**
 * What an approver may type for a code, the API's rule as the CLI's and the console's: its 15
 * digits, separated by "-" or spaces, from a digit to a digit. A text of any other shape is no
 * code: refused before it is compared, so it costs no attempt toward R5's lock.
 */
export const VERIFICATION_CODE_SHAPE = /^[0-9](?:[ -]*[0-9]){14}$/;

export const isVerificationCodeShape = (typed: string): boolean => typed.length <= MAX_VERIFICATION_CODE_LENGTH && VERIFICATION_CODE_SHAPE.test(typed);
