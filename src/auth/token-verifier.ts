import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyResult } from 'jose';
import type { AppConfig } from '../config/app-config';
import { verifyHs256 } from '../crypto/hs256-jws';
import { ID_PATTERN } from '../domain/streams';
import { STORE_RETRY_AFTER_SECONDS, StoreUnavailable } from '../shared/store-unavailable';
import { notAnAccessToken } from './access-token-kind';
import type { Caller } from './caller';
import { isFetchFailure, keySetFetch } from './key-set-fetch';
import { unauthenticated } from './unauthenticated';

/** What binds a token to this API, besides its signature. */
export interface TokenRules {
  issuer: string;
  audience: string;
  /** Longest lifetime a token may claim: exp - iat (iat is never ahead of now, so exp - now too). */
  maxLifetimeSeconds: number;
  /** Tolerance between clocks for exp, nbf and iat. */
  clockSkewSeconds: number;
  /** `typ` values a token of the key set may carry (JWT_TYPES): see ./access-token-kind.ts. */
  types: readonly string[];
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Whether jose failed to fetch the key set rather than refused the token: a timeout, a set that is
 * no key set, its generic error (an answer other than 200, a body that is not JSON) and what the
 * fetch itself threw (fetch's network errors, the pause after a failure). Every other error is about
 * the token: its shape, its signature, its claims, a key id the set does not hold, a key of the set
 * jose will not use (an attacker may name any, and a 503 would say the provider is down).
 */
const keySetUnreachable = (error: unknown): boolean =>
  error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || isFetchFailure(error) || (error instanceof errors.JOSEError && error.code === errors.JOSEError.code);

/**
 * Verifies agent tokens: HS256 with the configured secret on one machine (a synchronous HMAC:
 * it runs on every request), or the OIDC provider's key set (JWKS_URL, through jose) in
 * production. Either way the claims pass one check: `sub`, `org`, `iss` and `aud` of this API,
 * `nbf` and `exp` against now, `iat` not in the future and `exp - iat` within the lifetime cap. A
 * token of the key set must also be an access token (its `typ`, and no claim of another kind): the
 * provider signs ID and logout tokens with the same keys. The HS256 secret signs nothing else.
 */
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(
    /**
     * `keySetPauseMs`: how long after a failed fetch the key set is not asked for again (the 503's
     * Retry-After); `keySetMaxAgeMs`: how long a fetched set serves (jose's 10 minutes when absent).
     */
    options: { secret?: string; jwksUrl?: string; keySetPauseMs?: number; keySetMaxAgeMs?: number },
    private readonly rules: TokenRules,
  ) {
    if (options.jwksUrl) {
      this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
        cacheMaxAge: options.keySetMaxAgeMs,
        [customFetch]: keySetFetch(options.keySetPauseMs ?? STORE_RETRY_AFTER_SECONDS * 1000),
      });
    } else if (options.secret) this.secret = new TextEncoder().encode(options.secret);
    else throw new Error('TokenVerifier needs a secret or a JWKS URL');
  }

  /** The verifier the configuration asks for: its key (secret or JWKS_URL) and its binding rules. */
  static fromConfig(config: AppConfig, secret: string | undefined): TokenVerifier {
    return new TokenVerifier(
      { secret, jwksUrl: config.jwksUrl, keySetMaxAgeMs: config.jwksCacheSeconds * 1000 },
      { issuer: config.jwtIssuer, audience: config.jwtAudience, maxLifetimeSeconds: config.jwtMaxLifetimeSeconds, clockSkewSeconds: config.jwtClockSkewSeconds, types: config.jwtTypes },
    );
  }

  /**
   * The caller, or undefined when the token is invalid, expired, not ours, too long-lived or lacks a
   * claim; a 401 saying so, thrown, when the key set signed it but not as an access token. Answered
   * at once with the HS256 secret (no promise on the path of every request), in a promise with JWKS
   * (the key set may have to be fetched).
   */
  verify(token: string): Caller | undefined | Promise<Caller | undefined> {
    if (this.secret) return this.callerOf(this.hs256Payload(token, this.secret));
    return this.jwksVerified(token, this.jwks!).then((verified) => {
      if (!verified) return undefined;
      const why = notAnAccessToken(verified.protectedHeader, verified.payload, this.rules.types);
      if (why) throw unauthenticated(why);
      return this.callerOf(verified.payload);
    });
  }

  private callerOf(payload: JWTPayload | undefined): Caller | undefined {
    return payload && this.caller(payload, Math.floor(Date.now() / 1000));
  }

  private hs256Payload(token: string, secret: Uint8Array): JWTPayload | undefined {
    const bytes = verifyHs256(token, secret);
    if (!bytes) return undefined;
    try {
      const payload: unknown = JSON.parse(bytes.toString('utf8'));
      return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as JWTPayload) : undefined;
    } catch {
      return undefined;
    }
  }

  private async jwksVerified(token: string, jwks: JWTVerifyGetKey): Promise<JWTVerifyResult | undefined> {
    const options = { algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'], clockTolerance: this.rules.clockSkewSeconds };
    try {
      return await jwtVerify(token, jwks, options);
    } catch (error) {
      // A token without kid while the set holds several keys of its alg (a rotation under way): any of them may have signed it.
      if (error instanceof errors.JWKSMultipleMatchingKeys) {
        for await (const key of error) {
          const verified = await jwtVerify(token, key, options).catch(() => undefined);
          if (verified) return verified;
        }
        return undefined;
      }
      // Without the key set no token can be checked, valid or not: a 503 the client retries, not a
      // 401 that sends every agent to sign in again while the provider is down.
      if (keySetUnreachable(error)) throw new StoreUnavailable("the identity provider's key set (JWKS_URL)", error);
      return undefined;
    }
  }

  private caller(payload: JWTPayload, now: number): Caller | undefined {
    const { issuer, audience, maxLifetimeSeconds, clockSkewSeconds: skew } = this.rules;
    const { sub, org, iss, aud, exp, iat, nbf } = payload as JWTPayload & { org?: unknown };
    if (iss !== issuer) return undefined;
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) return undefined;
    if (!isNumber(exp) || exp <= now - skew) return undefined;
    if (nbf !== undefined && (!isNumber(nbf) || nbf > now + skew)) return undefined;
    // iat at most now + skew bounds exp - now by the cap as well.
    if (!isNumber(iat) || iat > now + skew || now - iat - skew > maxLifetimeSeconds) return undefined;
    if (exp - iat > maxLifetimeSeconds) return undefined;
    if (typeof sub !== 'string' || typeof org !== 'string') return undefined;
    if (!ID_PATTERN.test(sub) || !ID_PATTERN.test(org)) return undefined;
    return { agentId: sub, orgId: org };
  }
}
