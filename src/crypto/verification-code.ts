import { decodeBase64url } from './base64url';
import { sha256 } from './crypto-primitives';
import { verificationCodeFromDigest, verificationCodeMessage } from './verification-code-derivation';

export { sameVerificationCode } from './verification-code-derivation';

/**
 * R5 verification code, documented in README so clients compute it themselves (the derivation is
 * in verification-code-derivation.ts, shared with the web console).
 */
export function verificationCode(orgId: string, agentId: string, publicKey: string): string {
  const raw = decodeBase64url(publicKey);
  if (!raw) throw new TypeError('public key is not base64url');
  return verificationCodeFromDigest(sha256(verificationCodeMessage(orgId, agentId, raw)));
}
