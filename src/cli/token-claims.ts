import { usageError } from './cli-error';

/**
 * The org and agent an agent token names (claims `org` and `sub`). Read without verifying: the
 * server verifies every call; the CLI only needs to know which paths are its own.
 */
export function tokenClaims(token: string): { orgId: string; agentId: string } {
  const payload = token.split('.')[1];
  let claims: { org?: unknown; sub?: unknown } | undefined;
  try {
    claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as typeof claims;
  } catch {
    claims = undefined;
  }
  if (typeof claims?.org !== 'string' || typeof claims.sub !== 'string' || !claims.org || !claims.sub)
    throw usageError('This is not an agent token: a JWT with claims "org" (organization id) and "sub" (agent id) is expected.');
  return { orgId: claims.org, agentId: claims.sub };
}
