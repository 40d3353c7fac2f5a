import { verificationCodeFromDigest, verificationCodeMessage } from '../../src/crypto/verification-code-derivation';
import { decodeBase64urlBytes } from '../../src/crypto/base64url-bytes';

const rawKey = (publicKey: string): Uint8Array => {
  const raw = decodeBase64urlBytes(publicKey);
  if (!raw) throw new TypeError('public key is not base64url');
  return raw;
};

const sha256 = async (bytes: Uint8Array): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));

/** A key's fingerprint: hex SHA-256 of the raw key, computed here rather than trusted from the server. */
export async function fingerprintOf(publicKey: string): Promise<string> {
  return [...(await sha256(rawKey(publicKey)))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The R5 verification code, computed here from the public key (same derivation as the server and the CLI). */
export async function verificationCodeOf(orgId: string, agentId: string, publicKey: string): Promise<string> {
  return verificationCodeFromDigest(await sha256(verificationCodeMessage(orgId, agentId, rawKey(publicKey))));
}
