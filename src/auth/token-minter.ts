import { SignJWT } from 'jose';

/** Mints an HS256 agent token with the configured secret (one machine; production uses an OIDC provider). */
export function mintAgentToken(secret: string, claims: { agentId: string; orgId: string }, ttlSeconds: number): Promise<string> {
  return new SignJWT({ org: claims.orgId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.agentId)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}
