import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../config/app-config';
import { ID_PATTERN } from '../domain/streams';
import type { Caller } from './caller';

/** What binds a token to this API, besides its signature. */
export interface TokenRules {
  issuer: string;
  audience: string;
  /** Longest lifetime a token may claim: exp - iat (iat is never ahead of now, so exp - now too). */
  maxLifetimeSeconds: number;
  /** Tolerance between clocks for exp, nbf and iat. */
  clockSkewSeconds: number;
}

/**
 * Verifies agent tokens: HS256 with the configured secret on one machine, or the OIDC
 * provider's key set (JWKS_URL) in production. Tokens must carry `sub`, `org`, `iss` and `aud`
 * of this API, `iat` not in the future and `exp` within the lifetime cap.
 */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(
    options: { secret?: string; jwksUrl?: string },
    private readonly rules: TokenRules,
  ) {
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

  /** The verifier the configuration asks for: its key (secret or JWKS_URL) and its binding rules. */
  static fromConfig(config: AppConfig, secret: string | undefined): TokenVerifier {
    return new TokenVerifier(
      { secret, jwksUrl: config.jwksUrl },
      { issuer: config.jwtIssuer, audience: config.jwtAudience, maxLifetimeSeconds: config.jwtMaxLifetimeSeconds, clockSkewSeconds: config.jwtClockSkewSeconds },
    );
  }

  /** The caller, or undefined when the token is invalid, expired, not ours, too long-lived or lacks a claim. */
  async verify(token: string): Promise<Caller | undefined> {
    const { issuer, audience, maxLifetimeSeconds, clockSkewSeconds } = this.rules;
    try {
      // maxTokenAge also refuses an iat in the future beyond the tolerance; jose checks nbf when present.
      const { payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        issuer,
        audience,
        requiredClaims: ['sub', 'exp', 'iat', 'iss', 'aud'],
        maxTokenAge: maxLifetimeSeconds,
        clockTolerance: clockSkewSeconds,
      });
      // With iat at most now + skew (above), this also bounds exp - now.
      if (payload.exp! - payload.iat! > maxLifetimeSeconds) return undefined;
      const org = payload.org;
      if (typeof payload.sub !== 'string' || typeof org !== 'string') return undefined;
      if (!ID_PATTERN.test(payload.sub) || !ID_PATTERN.test(org)) return undefined;
      return { agentId: payload.sub, orgId: org };
    } catch {
      return undefined;
    }
  }
}
