import { resolve } from 'node:path';
import { readEnvironment, type LOG_LEVELS, type ProcessRole } from './environment';

/** Configuration of a process (PRODUCT.md, Configuration), from ./environment.ts. Secrets come from ./secrets.ts. */
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
  logLevel: (typeof LOG_LEVELS)[number];
  /** How long a rebuilt read model's old generation keeps serving after the switch. */
  rebuildGraceMs: number;

  // Verifiable audit log (R16): the key that signs every org's checkpoints.
  /** Signer key text (PRIVATE+KEY+name+id+base64); when absent, DATA_DIR/log-signing-key, generated on first start. */
  logSigningKey?: string;
  /** Name of a generated log key; when set, the key in use must bear it (a renamed key is another key). */
  logKeyName?: string;
  /** A signed checkpoint at most this long after an org's log grows. */
  checkpointDelayMs: number;
  /** A timestamped checkpoint of each org at this interval while its log does not grow. */
  checkpointIdleMs: number;
}

/** Nest injection token of the AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const vars = readEnvironment(env);
  return {
    port: vars.PORT,
    host: vars.HOST,
    dataDir: resolve(vars.DATA_DIR),
    jwtSecret: vars.JWT_SECRET,
    jwksUrl: vars.JWKS_URL,
    bootstrapToken: vars.BOOTSTRAP_TOKEN,
    challengeSecret: vars.CHALLENGE_SECRET,
    eventStoreUrl: vars.EVENTSTORE_URL,
    mongodbUrl: vars.MONGODB_URL,
    redisUrl: vars.REDIS_URL,
    smtpUrl: vars.SMTP_URL,
    roles: vars.ROLES,
    minPositionWaitMs: vars.MIN_POSITION_WAIT_MS,
    bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    logLevel: vars.LOG_LEVEL,
    rebuildGraceMs: vars.REBUILD_GRACE_MS,
    logSigningKey: vars.LOG_SIGNING_KEY,
    logKeyName: vars.LOG_KEY_NAME,
    checkpointDelayMs: vars.LOG_CHECKPOINT_DELAY_MS,
    checkpointIdleMs: vars.LOG_CHECKPOINT_IDLE_MS,
  };
}
