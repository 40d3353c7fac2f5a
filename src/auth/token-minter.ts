import { SignJWT } from 'jose';
import { EMBEDDED_TOKEN_AUDIENCE, EMBEDDED_TOKEN_ISSUER } from '../config/app-config';

/**
 * Mints an HS256 agent token with the configured secret (one machine; production uses an OIDC provider),
 * with the issuer and audience the verifier requires (JWT_ISSUER/JWT_AUDIENCE when set, else the embedded ones).
 */
export function mintAgentToken(
  secret: string,
  claims: { agentId: string; orgId: string },
  ttlSeconds: number,
  binding: { issuer: string; audience: string } = { issuer: EMBEDDED_TOKEN_ISSUER, audience: EMBEDDED_TOKEN_AUDIENCE },
): Promise<string> {
  return new SignJWT({ org: claims.orgId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.agentId)
    .setIssuer(binding.issuer)
    .setAudience(binding.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}
