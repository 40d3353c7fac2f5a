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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: integer('PORT', env.PORT, 3000),
    host: optional(env.HOST) ?? '0.0.0.0',
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

    logSigningKey: optional(env.LOG_SIGNING_KEY),
    logKeyName: optional(env.LOG_KEY_NAME),
    checkpointDelayMs: integer('LOG_CHECKPOINT_DELAY_MS', env.LOG_CHECKPOINT_DELAY_MS, 2000),
    checkpointIdleMs: integer('LOG_CHECKPOINT_IDLE_MS', env.LOG_CHECKPOINT_IDLE_MS, 3_600_000),
  };
}
