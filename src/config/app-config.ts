import { resolve } from 'node:path';
import { ConfigError } from './config-error';
import { readEnvironment, type Environment, type LOG_LEVELS, type ProcessRole, type Rate } from './environment';

/** Every rate limit (README, Security), by the name /metrics counts its refusals under; each is RATE_LIMIT_<NAME>. */
export const RATE_LIMIT_NAMES = [
  'api_per_address',
  'orgs_per_address',
  'challenges_per_agent',
  'challenges_per_org',
  'key_requests_per_agent',
  'key_requests_per_org',
  'role_changes_per_agent',
  'policy_changes_per_agent',
  'wrong_codes_per_agent',
  'wrong_codes_per_org',
  'browser_actions_per_agent',
  'browser_actions_per_org',
  'new_browsers_per_agent',
  'heavy_reads_per_agent',
  'heavy_reads_per_org',
] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];
/** An org's shared budgets: spent only once the caller is admitted (see RateLimits.orgBudget), never by a refused caller. */
export type OrgLimitName = Extract<RateLimitName, `${string}_per_org`>;
/** The budgets of one caller (agent or client address), which every call of theirs spends, refused or not. */
export type CallerLimitName = Exclude<RateLimitName, OrgLimitName>;
/** Every limit a 429 names and /metrics counts: the rates, and the bounds on exports under way at once. */
export type LimitName = RateLimitName | 'concurrent_exports_per_org' | 'concurrent_exports_per_agent';

/** Configuration of a process (PRODUCT.md, Configuration), from ./environment.ts. Secrets come from ./secrets.ts. */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  jwtSecret?: string;
  jwksUrl?: string;
  /** How long a key set fetched from JWKS_URL serves before it is fetched again (JWKS_CACHE_SECONDS). */
  jwksCacheSeconds: number;
  bootstrapToken?: string;
  challengeSecret?: string;
  eventStoreUrl?: string;
  mongodbUrl?: string;
  redisUrl?: string;
  /** REDIS_KEY_PREFIX: this deployment's namespace in Redis. */
  redisKeyPrefix: string;
  smtpUrl?: string;
  /** Which parts this process runs; all of them on one machine. */
  roles: ProcessRole[];
  /** Processes serving this machine (Node cluster over one DATA_DIR): see src/runtime/cluster.ts. */
  workers: number;
  /** Embedded: worker threads the projector's read models are split over (see src/runtime/projector-lanes.ts). */
  projectorThreads: number;
  /** Longest wait for X-Min-Position before a 503. */
  minPositionWaitMs: number;
  /** Longest time a request (line, headers and body) may take to arrive before a 408. */
  requestTimeoutMs: number;
  /** Longest time a connection may go without a byte read or written (a client that stops reading an answer) before it is closed. */
  connectionTimeoutMs: number;
  /** Most connections open at once in a process; Node drops those past it as they are accepted. */
  maxConnections: number;
  /** Longest a connection stays open, idle, for a next request after an answer. */
  keepAliveTimeoutMs: number;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** How long a rebuilt read model's old generation keeps serving after the switch. */
  rebuildGraceMs: number;

  // Verifiable audit log (R16): the key that signs every org's checkpoints.
  /** Signer key text (PRIVATE+KEY+name+id+base64); when absent, DATA_DIR/log-signing-key, generated on first start. */
  logSigningKey?: string;
  /** Name of a generated log key; when set, the key in use must bear it (a renamed key is another key). */
  logKeyName?: string;
  /** Verifier keys of earlier log keys (LOG_PREVIOUS_KEYS), oldest first: their checkpoints still verify after a rotation. */
  logPreviousKeys?: string;
  /** Shared witnesses (WITNESSES) asked to cosign each checkpoint served: comma-separated "<URL> <verifier key>" (parsed in transparency/witnesses.ts). */
  witnesses?: string;
  /** Cosignatures a served checkpoint should carry (WITNESS_QUORUM): fewer are counted and logged, never withheld. */
  witnessQuorum: number;
  /** Longest wait for one witness's answer (WITNESS_TIMEOUT_MS). */
  witnessTimeoutMs: number;
  /** Whether the projector role signs checkpoints (off: another process does, or a benchmark compares). */
  checkpoints: boolean;
  /** A signed checkpoint at most this long after an org's log grows. */
  checkpointDelayMs: number;
  /** A timestamped checkpoint of each org at this interval while its log does not grow. */
  checkpointIdleMs: number;
  /** Most orgs whose Merkle tree the follower keeps in memory beside those with changes not yet stored (the others are read back from the node store). */
  orgsInMemory: number;
  /**
   * Bounds of each stream-state cache (src/application/stream-states.ts: the API's, the deadline
   * scheduler's, the notifier's): most states, and most events folded into them.
   */
  stateCacheLimits: { states: number; events: number };
  /** The server re-derives every org's tree from the stored log and checks its checkpoints at start and at this interval (0: at start only). */
  selfCheckIntervalMs: number;
  /** R20: how often the lease holder looks for PENDING requests to expire or remind approvers of. */
  requestDeadlinesIntervalMs: number;

  // Security limits (README, Security).
  /** `iss` every agent token must carry: JWT_ISSUER, required with JWKS_URL; the embedded minter's otherwise. */
  jwtIssuer: string;
  /** `aud` every agent token must name: JWT_AUDIENCE, required with JWKS_URL; the embedded minter's otherwise. */
  jwtAudience: string;
  /** `typ` values an access token of JWKS_URL may carry (JWT_TYPES); `JWT` also admits a token without `typ`. */
  jwtTypes: string[];
  /** The web console's OIDC redirect sign-in (authorization code + PKCE, public client), with JWKS_URL; served by GET /v1/sign-in-options. */
  consoleOidc?: ConsoleOidc;
  /** Longest lifetime a token may claim (exp - iat, and exp - now). */
  jwtMaxLifetimeSeconds: number;
  /** Tolerance between our clock and the token issuer's for exp, nbf and iat. */
  jwtClockSkewSeconds: number;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); none by default. */
  trustedProxies: string[];
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  metricsToken?: string;
  /** Requests allowed per window, by limit; shared through Redis when REDIS_URL is set. */
  rateLimits: Record<RateLimitName, Rate>;
  /** Audit-log exports under way at once, in this process: of one org, and of one agent (never more than its org's). */
  concurrentExports: { perOrg: number; perAgent: number };
}

/** Where the web console sends a user to sign in, and where it exchanges the code for an access token. */
export interface ConsoleOidc {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scope: string;
}

/** `iss` and `aud` of the tokens the embedded HS256 minter issues (`npm run token`) and the verifier then requires. */
export const EMBEDDED_TOKEN_ISSUER = 'ztkeys';
export const EMBEDDED_TOKEN_AUDIENCE = 'ztkeys-api';

/** Nest injection token of the AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * The access token types accepted by default: RFC 9068's, and the generic JWT (typ JWT, or none)
 * that many providers still write on their access tokens (Keycloak and Entra ID among them).
 */
export const DEFAULT_TOKEN_TYPES = ['at+jwt', 'JWT'];

/** With an external provider (JWKS_URL) the issuer and audience must be ours to name: a token for another app must not pass. */
function tokenBinding(vars: Environment): { jwtIssuer: string; jwtAudience: string; jwtTypes: string[] } {
  if (vars.JWKS_URL && !vars.JWT_ISSUER) throw new ConfigError('JWT_ISSUER is required with JWKS_URL: the `iss` your OIDC provider puts in agent tokens');
  if (vars.JWKS_URL && !vars.JWT_AUDIENCE) throw new ConfigError('JWT_AUDIENCE is required with JWKS_URL: the `aud` your OIDC provider issues for this API');
  // The HS256 tokens are this deployment's own (npm run token): their type is not the operator's to choose.
  if (!vars.JWKS_URL && vars.JWT_TYPES) throw new ConfigError("JWT_TYPES needs JWKS_URL: it names the types of your OIDC provider's access tokens");
  return { jwtIssuer: vars.JWT_ISSUER ?? EMBEDDED_TOKEN_ISSUER, jwtAudience: vars.JWT_AUDIENCE ?? EMBEDDED_TOKEN_AUDIENCE, jwtTypes: vars.JWT_TYPES ?? DEFAULT_TOKEN_TYPES };
}

/** The console's OIDC sign-in: all three of OIDC_AUTHORIZATION_URL, OIDC_TOKEN_URL and OIDC_CLIENT_ID, and only with JWKS_URL. */
function consoleOidc(vars: Environment): ConsoleOidc | undefined {
  const given = [vars.OIDC_AUTHORIZATION_URL, vars.OIDC_TOKEN_URL, vars.OIDC_CLIENT_ID];
  if (given.every((value) => value === undefined)) return undefined;
  if (given.some((value) => value === undefined))
    throw new ConfigError('OIDC_AUTHORIZATION_URL, OIDC_TOKEN_URL and OIDC_CLIENT_ID go together: the web console needs all three to sign in through your OIDC provider');
  if (!vars.JWKS_URL) throw new ConfigError('OIDC_AUTHORIZATION_URL needs JWKS_URL: the API verifies the provider\'s tokens with its key set');
  return {
    // Checked as http(s) URLs in ./environment.ts; the console is given them in their normal form.
    authorizationEndpoint: new URL(vars.OIDC_AUTHORIZATION_URL!).href,
    tokenEndpoint: new URL(vars.OIDC_TOKEN_URL!).href,
    clientId: vars.OIDC_CLIENT_ID!,
    scope: vars.OIDC_SCOPE,
  };
}

/** A request waiting for X-Min-Position sends nothing meanwhile: the connection's idle timeout must outlast the wait. */
function connectionTimeout(vars: Environment): number {
  if (vars.CONNECTION_TIMEOUT_MS > vars.MIN_POSITION_WAIT_MS) return vars.CONNECTION_TIMEOUT_MS;
  throw new ConfigError(
    `CONNECTION_TIMEOUT_MS (${vars.CONNECTION_TIMEOUT_MS}) must be longer than MIN_POSITION_WAIT_MS (${vars.MIN_POSITION_WAIT_MS}): a request waiting for its position would lose its connection first`,
  );
}

/** An agent's bound above its org's would never refuse: the operator would believe a bound that is not there. */
function concurrentExports(vars: Environment): { perOrg: number; perAgent: number } {
  if (vars.CONCURRENT_EXPORTS_PER_AGENT <= vars.CONCURRENT_EXPORTS_PER_ORG) return { perOrg: vars.CONCURRENT_EXPORTS_PER_ORG, perAgent: vars.CONCURRENT_EXPORTS_PER_AGENT };
  throw new ConfigError(
    `CONCURRENT_EXPORTS_PER_AGENT (${vars.CONCURRENT_EXPORTS_PER_AGENT}) must be at most CONCURRENT_EXPORTS_PER_ORG (${vars.CONCURRENT_EXPORTS_PER_ORG}): an agent cannot have more places than its org`,
  );
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const vars = readEnvironment(env);
  return {
    port: vars.PORT,
    host: vars.HOST,
    dataDir: resolve(vars.DATA_DIR),
    jwtSecret: vars.JWT_SECRET,
    jwksUrl: vars.JWKS_URL,
    jwksCacheSeconds: vars.JWKS_CACHE_SECONDS,
    bootstrapToken: vars.BOOTSTRAP_TOKEN,
    challengeSecret: vars.CHALLENGE_SECRET,
    eventStoreUrl: vars.EVENTSTORE_URL,
    mongodbUrl: vars.MONGODB_URL,
    redisUrl: vars.REDIS_URL,
    redisKeyPrefix: vars.REDIS_KEY_PREFIX,
    smtpUrl: vars.SMTP_URL,
    roles: vars.ROLES,
    workers: vars.WORKERS,
    projectorThreads: vars.PROJECTOR_THREADS,
    minPositionWaitMs: vars.MIN_POSITION_WAIT_MS,
    bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    requestTimeoutMs: vars.REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: connectionTimeout(vars),
    keepAliveTimeoutMs: vars.KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: vars.MAX_CONNECTIONS,
    logLevel: vars.LOG_LEVEL,
    rebuildGraceMs: vars.REBUILD_GRACE_MS,
    logSigningKey: vars.LOG_SIGNING_KEY,
    logKeyName: vars.LOG_KEY_NAME,
    logPreviousKeys: vars.LOG_PREVIOUS_KEYS,
    witnesses: vars.WITNESSES,
    witnessQuorum: vars.WITNESS_QUORUM,
    witnessTimeoutMs: vars.WITNESS_TIMEOUT_MS,
    checkpoints: vars.LOG_CHECKPOINTS,
    checkpointDelayMs: vars.LOG_CHECKPOINT_DELAY_MS,
    checkpointIdleMs: vars.LOG_CHECKPOINT_IDLE_MS,
    orgsInMemory: vars.LOG_ORGS_IN_MEMORY,
    stateCacheLimits: { states: vars.STREAM_STATES_IN_MEMORY, events: vars.STREAM_STATE_EVENTS_IN_MEMORY },
    selfCheckIntervalMs: vars.LOG_SELF_CHECK_INTERVAL_MS,
    requestDeadlinesIntervalMs: vars.REQUEST_DEADLINES_INTERVAL_MS,
    ...tokenBinding(vars),
    consoleOidc: consoleOidc(vars),
    jwtMaxLifetimeSeconds: vars.JWT_MAX_LIFETIME_SECONDS,
    jwtClockSkewSeconds: vars.JWT_CLOCK_SKEW_SECONDS,
    trustedProxies: vars.TRUSTED_PROXIES,
    metricsToken: vars.METRICS_TOKEN,
    rateLimits: {
      api_per_address: vars.RATE_LIMIT_API_PER_ADDRESS,
      orgs_per_address: vars.RATE_LIMIT_ORGS_PER_ADDRESS,
      challenges_per_agent: vars.RATE_LIMIT_CHALLENGES_PER_AGENT,
      challenges_per_org: vars.RATE_LIMIT_CHALLENGES_PER_ORG,
      key_requests_per_agent: vars.RATE_LIMIT_KEY_REQUESTS_PER_AGENT,
      key_requests_per_org: vars.RATE_LIMIT_KEY_REQUESTS_PER_ORG,
      role_changes_per_agent: vars.RATE_LIMIT_ROLE_CHANGES_PER_AGENT,
      policy_changes_per_agent: vars.RATE_LIMIT_POLICY_CHANGES_PER_AGENT,
      wrong_codes_per_agent: vars.RATE_LIMIT_WRONG_CODES_PER_AGENT,
      wrong_codes_per_org: vars.RATE_LIMIT_WRONG_CODES_PER_ORG,
      browser_actions_per_agent: vars.RATE_LIMIT_BROWSER_ACTIONS_PER_AGENT,
      browser_actions_per_org: vars.RATE_LIMIT_BROWSER_ACTIONS_PER_ORG,
      new_browsers_per_agent: vars.RATE_LIMIT_NEW_BROWSERS_PER_AGENT,
      heavy_reads_per_agent: vars.RATE_LIMIT_HEAVY_READS_PER_AGENT,
      heavy_reads_per_org: vars.RATE_LIMIT_HEAVY_READS_PER_ORG,
    },
    concurrentExports: concurrentExports(vars),
  };
}
