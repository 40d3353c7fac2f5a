import { ID_PATTERN } from '../domain/streams';
import { usageError } from './cli-error';

interface Claims {
  org?: unknown;
  sub?: unknown;
  exp?: unknown;
}

/** The payload of a JWT, read without verifying; undefined when it is not one. */
function payloadOf(token: string): Claims | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Claims) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The org and agent an agent token names (claims `org` and `sub`). Read without verifying: the
 * server verifies every call; the CLI only needs to know which paths are its own.
 */
export function tokenClaims(token: string): { orgId: string; agentId: string } {
  const claims = payloadOf(token);
  if (typeof claims?.org !== 'string' || typeof claims.sub !== 'string' || !claims.org || !claims.sub)
    throw usageError('This is not an agent token: a JWT with claims "org" (organization id) and "sub" (agent id) is expected.');
  // Keys are filed under keys/<org>/<agent>: ids as the server gives them can name no other folder ("..").
  if (!ID_PATTERN.test(claims.org) || !ID_PATTERN.test(claims.sub))
    throw usageError(
      `This token's claims "org" and "sub" are no organization and agent ids: "${claims.org}", "${claims.sub}" (an id is 1-128 letters, digits, ".", "_", "@" or "-", starting with a letter or digit).`,
    );
  return { orgId: claims.org, agentId: claims.sub };
}

/** When a token expires (claim `exp`, ISO 8601), so the CLI can say so before the server refuses it. */
export function tokenExpiresAt(token: string): string | undefined {
  const exp = payloadOf(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : undefined;
}

export const hasExpired = (expiresAt: string | undefined, now = Date.now()): boolean => expiresAt !== undefined && Date.parse(expiresAt) <= now;
