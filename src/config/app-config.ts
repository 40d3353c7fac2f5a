import { resolve } from 'node:path';

export const PROCESS_ROLES = ['api', 'projector', 'notifier', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** Configuration from the environment (PRODUCT.md, Configuration). Secrets come from ./secrets.ts. */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  jwtSecret?: string;
  jwksUrl?: string;
  bootstrapToken?: string;
  challengeSecret?: string;
  eventStoreUrl?: string;
  mongodbUrl?: string;
  redisUrl?: string;
  smtpUrl?: string;
  /** Which parts this process runs; all of them on one machine. */
  roles: ProcessRole[];
  /** Longest wait for X-Min-Position before a 503. */
  minPositionWaitMs: number;
  /** Largest accepted request body. */
  bodyLimitBytes: number;

  // Security limits (README, Security).
  /** `iss` every agent token must carry: JWT_ISSUER, required with JWKS_URL; the embedded minter's otherwise. */
  jwtIssuer: string;
  /** `aud` every agent token must name: JWT_AUDIENCE, required with JWKS_URL; the embedded minter's otherwise. */
  jwtAudience: string;
  /** Longest lifetime a token may claim (exp - iat, and exp - now). */
  jwtMaxLifetimeSeconds: number;
  /** Tolerance between our clock and the token issuer's for exp, nbf and iat. */
  jwtClockSkewSeconds: number;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); none by default. */
  trustedProxies: string[];
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  metricsToken?: string;
}

/** `iss` and `aud` of the tokens the embedded HS256 minter issues (`npm run token`) and the verifier then requires. */
export const EMBEDDED_TOKEN_ISSUER = 'ztkeys';
export const EMBEDDED_TOKEN_AUDIENCE = 'ztkeys-api';

/** Nest injection token of the AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

const optional = (value: string | undefined): string | undefined => (value && value.trim() !== '' ? value : undefined);

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

function roles(value: string | undefined): ProcessRole[] {
  if (!optional(value) || value === 'all') return [...PROCESS_ROLES];
  const list = value!.split(',').map((role) => role.trim());
  for (const role of list) {
    if (!(PROCESS_ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(`ROLES holds "${role}"; choose from ${PROCESS_ROLES.join(', ')}`);
    }
  }
  return list as ProcessRole[];
}

/** With an external provider (JWKS_URL) the issuer and audience must be ours to name: a token for another app must not pass. */
function tokenBinding(env: NodeJS.ProcessEnv): { jwtIssuer: string; jwtAudience: string } {
  const jwksUrl = optional(env.JWKS_URL);
  const issuer = optional(env.JWT_ISSUER);
  const audience = optional(env.JWT_AUDIENCE);
  if (jwksUrl && !issuer) throw new ConfigError('JWT_ISSUER is required with JWKS_URL: the `iss` your OIDC provider puts in agent tokens');
  if (jwksUrl && !audience) throw new ConfigError('JWT_AUDIENCE is required with JWKS_URL: the `aud` your OIDC provider issues for this API');
  return { jwtIssuer: issuer ?? EMBEDDED_TOKEN_ISSUER, jwtAudience: audience ?? EMBEDDED_TOKEN_AUDIENCE };
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: integer('PORT', env.PORT, 3000),
    host: optional(env.HOST) ?? '127.0.0.1',
    dataDir: resolve(optional(env.DATA_DIR) ?? './data'),
    jwtSecret: optional(env.JWT_SECRET),
    jwksUrl: optional(env.JWKS_URL),
    bootstrapToken: optional(env.BOOTSTRAP_TOKEN),
    challengeSecret: optional(env.CHALLENGE_SECRET),
    eventStoreUrl: optional(env.EVENTSTORE_URL),
    mongodbUrl: optional(env.MONGODB_URL),
    redisUrl: optional(env.REDIS_URL),
    smtpUrl: optional(env.SMTP_URL),
    roles: roles(env.ROLES),
    minPositionWaitMs: integer('MIN_POSITION_WAIT_MS', env.MIN_POSITION_WAIT_MS, 5000),
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', env.BODY_LIMIT_BYTES, 64 * 1024),

    ...tokenBinding(env),
    jwtMaxLifetimeSeconds: integer('JWT_MAX_LIFETIME_SECONDS', env.JWT_MAX_LIFETIME_SECONDS, 24 * 3600),
    jwtClockSkewSeconds: integer('JWT_CLOCK_SKEW_SECONDS', env.JWT_CLOCK_SKEW_SECONDS, 60),
    trustedProxies: list(env.TRUSTED_PROXIES),
    metricsToken: optional(env.METRICS_TOKEN),
  };
}
