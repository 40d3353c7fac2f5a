import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ID_PATTERN } from '../domain/streams';
import type { Caller } from './caller';

/**
 * Verifies agent tokens: HS256 with the configured secret on one machine, or the OIDC
 * provider's key set (JWKS_URL) in production. Tokens must carry `sub`, `org` and `exp`.
 */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(options: { secret?: string; jwksUrl?: string }) {
    if (options.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(options.jwksUrl));
      this.algorithms = ['RS256', 'ES256', 'EdDSA', 'PS256'];
    } else if (options.secret) {
      this.key = new TextEncoder().encode(options.secret);
      this.algorithms = ['HS256'];
    } else {
      throw new Error('TokenVerifier needs a secret or a JWKS URL');
    }
  }

  /** The caller, or undefined when the token is invalid, expired or lacks a claim. */
  async verify(token: string): Promise<Caller | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        requiredClaims: ['sub', 'exp'],
      });
      const org = payload.org;
      if (typeof payload.sub !== 'string' || typeof org !== 'string') return undefined;
      if (!ID_PATTERN.test(payload.sub) || !ID_PATTERN.test(org)) return undefined;
      return { agentId: payload.sub, orgId: org };
    } catch {
      return undefined;
    }
  }
}
