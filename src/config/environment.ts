import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';
import { BEARER_TOKEN_CHARACTERS } from '../shared/bearer-token';
import { isLoopbackHost } from '../shared/loopback';
import { ConfigError } from './config-error';
import { weakSecret } from './secret-strength';
import { DEFAULT_REDIS_KEY_PREFIX } from './redis-keys';
import { withoutPasswords } from '../shared/without-passwords';

/*
 * Every environment variable ztkeys reads, parsed and checked here and nowhere else (README,
 * Environment). A bad value stops the process with a message naming the variable.
 */

export const PROCESS_ROLES = ['api', 'projector', 'notifier', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Empty and blank count as unset: a compose file passes `${VAR:-}` through as "". */
const unset = z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().optional());

const text = (fallback: string) => unset.transform((value) => value ?? fallback);

/** Longest timer Node keeps: a longer one fires after 1 ms instead (TimeoutOverflowWarning), so a huge interval would spin. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Digits only: Number() would also take "1e3", "0x10" and " 80", which no operator means as a count. */
function integer<Fallback extends number | undefined>(minimum: 0 | 1, fallback: Fallback, maximum = Number.MAX_SAFE_INTEGER, why = '') {
  return unset.transform((raw, context): number | Fallback => {
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isSafeInteger(value) && value >= minimum && value <= maximum) return value;
    const message = value > maximum ? `must be at most ${maximum}${why}` : `must be a ${minimum ? 'positive' : 'non-negative'} integer`;
    context.addIssue({ code: 'custom', message: `${message}, got "${raw}"` });
    return z.NEVER;
  });
}

/**
 * A folder of state (the stores, the generated secrets). One named with whitespace at an end
 * (`DATA_DIR=/var/lib/ztkeys ` in an env file) is another folder: a server started there made it,
 * a new empty deployment with new secrets, every token and org of the real one gone from view.
 */
const folder = (fallback: string) =>
  text(fallback).superRefine((value, context) => {
    if (value !== value.trim()) context.addIssue({ code: 'custom', message: `must not begin or end with whitespace, got "${value}": a folder of that name would be a new, empty one` });
  });

const milliseconds = <Fallback extends number | undefined>(minimum: 0 | 1, fallback: Fallback) =>
  integer(minimum, fallback, MAX_TIMER_MS, ' (about 24.8 days, the longest timer)');

const port = <Fallback extends number | undefined>(minimum: 0 | 1, fallback: Fallback) => integer(minimum, fallback, 65_535);

const secret = unset.superRefine((value, context) => {
  const problem = value === undefined ? undefined : weakSecret(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** A secret clients present as `Authorization: Bearer <it>`: one the header cannot carry would lock its door for good. */
const BEARER_TOKEN = new RegExp(`^${BEARER_TOKEN_CHARACTERS}$`);
const inBearerHeader = (value: string | undefined, context: z.RefinementCtx): void => {
  if (value !== undefined && !BEARER_TOKEN.test(value))
    context.addIssue({ code: 'custom', message: 'may hold only letters, digits and -._~+/= (what a Bearer header carries): openssl rand -base64 32 writes one' });
};

/**
 * A URL of one of `schemes` (`smtp:`...) naming its server, checked at start rather than at the
 * first connection, which may fail much later or retry forever. One without a host (`smtp://`) the
 * clients took for localhost, unsaid.
 */
const url = (schemes: string[], expected: string) =>
  unset.superRefine((value, context) => {
    if (value === undefined) return;
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (parsed && schemes.includes(parsed.protocol) && parsed.hostname !== '') return;
    context.addIssue({ code: 'custom', message: `must be ${expected}${parsed && schemes.includes(parsed.protocol) ? ' naming its server' : ''}, got "${withoutPasswords(value)}"` });
  });

/** An address, or a CIDR (`10.0.0.0/8`, `fd00::/8`): what the proxy check compiles; anything else would stop the start with a stack. */
function addressOrCidr(item: string): boolean {
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * The identity provider's URLs: its key set decides whose tokens pass, and the console sends its
 * code to it and takes a token back. Over plain HTTP to another machine, whoever sits on the way
 * could serve a key set of their own (and sign in as anyone) or take a token: https, or http to
 * this machine (a local provider or a TLS sidecar).
 */
const identityProviderUrl = url(['http:', 'https:'], 'an http(s) URL').superRefine((value, context) => {
  if (value === undefined || !URL.canParse(value)) return;
  const { protocol, hostname, username, password } = new URL(value);
  // fetch refuses such a URL at each use, with an error naming it whole: in the 503 of every request with a token.
  if (username || password)
    context.addIssue({ code: 'custom', message: `carries a user or password, which are never sent (fetch refuses such a URL): give its URL alone, got "${withoutPasswords(value)}"` });
  else if (protocol === 'http:' && !isLoopbackHost(hostname))
    context.addIssue({ code: 'custom', message: `must be an https URL (http only to this machine: localhost, 127.0.0.1, [::1]), got "${withoutPasswords(value)}": in clear, whoever is on the way could serve their own keys or take a token` });
});

/**
 * The `typ` values an access token of JWKS_URL may carry (RFC 8725 §3.11), comma-separated: media
 * types without parameters, compared as RFC 7515 §4.1.9 says (case-insensitive, `application/` left
 * out). Undefined when unset: the default is app-config's.
 */
const tokenTypes = unset.transform((value, context): string[] | undefined => {
  if (value === undefined) return undefined;
  const list = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const wrong = list.find((item) => !/^[A-Za-z0-9!#$&^_.+-]+(\/[A-Za-z0-9!#$&^_.+-]+)?$/.test(item));
  if (list.length > 0 && wrong === undefined) return list;
  context.addIssue({ code: 'custom', message: wrong === undefined ? 'must name at least one type (at+jwt, JWT), comma-separated' : `holds "${wrong}"; give media types (at+jwt, JWT), comma-separated` });
  return z.NEVER;
});

const proxies = unset.transform((value, context): string[] => {
  const list = (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
  const wrong = list.find((item) => !addressOrCidr(item));
  if (wrong === undefined) return list;
  context.addIssue({ code: 'custom', message: `holds "${wrong}"; give addresses or CIDRs (10.0.0.0/8, fd00::/8), comma-separated` });
  return z.NEVER;
});

const roles = unset.transform((value, context): ProcessRole[] => {
  if (value === undefined || value === 'all') return [...PROCESS_ROLES];
  const list = value.split(',').map((role) => role.trim());
  const unknown = list.find((role) => !(PROCESS_ROLES as readonly string[]).includes(role));
  // A role named twice would start its work twice in one process (two projectors, two notifiers).
  const twice = list.find((role, index) => list.indexOf(role) !== index);
  if (unknown === undefined && twice === undefined) return list as ProcessRole[];
  context.addIssue({ code: 'custom', message: unknown !== undefined ? `holds "${unknown}"; choose from ${PROCESS_ROLES.join(', ')}` : `names "${twice}" twice` });
  return z.NEVER;
});

/**
 * The sender of every email: one address with a local part and a domain (its domain ends every
 * Message-ID), bare or with a display name, as nodemailer reads it. Anything else would be taken
 * at start and refused by the SMTP server at the first email, job after job.
 */
const DEFAULT_SENDER = 'ztkeys <no-reply@localhost>';

const sender = (fallback: string) =>
  unset.transform((value, context): string => {
    if (value === undefined) return fallback;
    const parsed = addressparser(value, { flatten: false });
    const address = parsed.length === 1 && !('group' in parsed[0]) ? parsed[0].address : '';
    if (/^[^@\s]+@[^@\s]+$/.test(address)) return value;
    context.addIssue({ code: 'custom', message: `must be one address with a domain ("ztkeys <no-reply@example.com>"), got "${value}"` });
    return z.NEVER;
  });

/**
 * The namespace of a deployment's keys in Redis. No `:` (what separates the parts of a key: with it,
 * one namespace could be the start of another's keys) and nothing a shell or a Redis client quotes.
 */
const redisKeyPrefix = text(DEFAULT_REDIS_KEY_PREFIX).superRefine((value, context) => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value))
    context.addIssue({ code: 'custom', message: `must be 1 to 64 letters, digits, '.', '_' or '-' (no ':'), starting with a letter or digit, got "${value}"` });
});

const logLevel = unset.transform((value, context): (typeof LOG_LEVELS)[number] => {
  if (value === undefined) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as (typeof LOG_LEVELS)[number];
  context.addIssue({ code: 'custom', message: `is "${value}"; choose from ${LOG_LEVELS.join(', ')}` });
  return z.NEVER;
});

/** LOG_LEVEL when it is one, else `fallback`: for the logger that must exist before the environment is checked. */
export function logLevelOr(fallback: (typeof LOG_LEVELS)[number], env: NodeJS.ProcessEnv = process.env): (typeof LOG_LEVELS)[number] {
  const level = env.LOG_LEVEL;
  return (LOG_LEVELS as readonly (string | undefined)[]).includes(level) ? (level as (typeof LOG_LEVELS)[number]) : fallback;
}

/** A rate limit: at most `points` requests in `seconds`, written `points/seconds` (README, Security). */
export interface Rate {
  points: number;
  seconds: number;
}

const rate = (fallback: string) =>
  text(fallback).transform((raw, context): Rate => {
    const match = /^(\d{1,9})\/(\d{1,9})$/.exec(raw);
    const [points, seconds] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
    if (points >= 1 && seconds >= 1) return { points, seconds };
    context.addIssue({ code: 'custom', message: `must be "<requests>/<seconds>" with both positive, e.g. "30/60", got "${raw}"` });
    return z.NEVER;
  });

/** BullMQ separates its keys with ':' and refuses a queue name holding one, as the queue is made: at start, with a stack. */
const emailQueue = text('ztkeys-email').superRefine((value, context) => {
  if (value.includes(':')) context.addIssue({ code: 'custom', message: `must not hold ":" (BullMQ separates its keys with it), got "${value}"` });
});

/** Embedded: the threads the projector splits the read models over (projectorLanes), one a core at most; two use two cores at a catch-up. */
export const DEFAULT_PROJECTOR_THREADS = Math.min(2, availableParallelism());

const ENVIRONMENT = z.object({
  PORT: port(0, 3000),
  HOST: text('127.0.0.1'),
  DATA_DIR: folder('./data'),
  JWT_SECRET: secret,
  JWKS_URL: identityProviderUrl,
  // How long a fetched key set serves: a key the provider removes passes at most this long.
  JWKS_CACHE_SECONDS: integer(1, 600, 86_400),
  BOOTSTRAP_TOKEN: secret.superRefine(inBearerHeader),
  CHALLENGE_SECRET: secret,
  EVENTSTORE_URL: unset,
  MONGODB_URL: unset,
  REDIS_URL: url(['redis:', 'rediss:'], 'a redis:// or rediss:// URL'),
  REDIS_KEY_PREFIX: redisKeyPrefix,
  SMTP_URL: url(['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL'),
  ROLES: roles,
  // More processes than cores only contend for them; a typo (WORKERS=1000000) would fork without end.
  WORKERS: integer(1, 1, availableParallelism(), ' (the cores of this machine)'),
  PROJECTOR_THREADS: integer(1, DEFAULT_PROJECTOR_THREADS, availableParallelism(), ' (the cores of this machine)'),
  MIN_POSITION_WAIT_MS: milliseconds(0, 5000),
  BODY_LIMIT_BYTES: integer(1, 64 * 1024),
  REQUEST_TIMEOUT_MS: milliseconds(1, 60_000),
  CONNECTION_TIMEOUT_MS: milliseconds(1, 60_000),
  MAX_CONNECTIONS: integer(1, 10_000),
  // Fastify's own default: longer than the 60 s idle timeout of common load balancers, which so close first.
  KEEP_ALIVE_TIMEOUT_MS: milliseconds(1, 72_000),
  LOG_LEVEL: logLevel,
  REBUILD_GRACE_MS: milliseconds(0, 10_000),
  EMAIL_FROM: sender(DEFAULT_SENDER),
  EMAIL_QUEUE: emailQueue,
  EMAIL_ATTEMPTS: integer(1, 12),
  EMAIL_BACKOFF_MS: milliseconds(1, 5000),
  EMAIL_LOCK_MS: milliseconds(1, 30_000),
  // Four times the pool: each connection has a next email waiting while a finished job goes back to Redis.
  EMAIL_WORKER_CONCURRENCY: integer(1, 16),
  SMTP_MAX_CONNECTIONS: integer(1, 4),
  SMTP_MAX_MESSAGES: integer(1, 1000),
  // Bounds each wait and the whole send, replies trickled included (RFC 5321 §4.5.3.2 asks for minutes per wait).
  SMTP_SEND_TIMEOUT_MS: milliseconds(1, 120_000),
  EMAIL_KEEP_COMPLETED_HOURS: integer(1, 168),
  EMAIL_WORKER_METRICS_PORT: port(1, undefined),
  JWT_ISSUER: unset,
  JWT_AUDIENCE: unset,
  JWT_TYPES: tokenTypes,
  OIDC_AUTHORIZATION_URL: identityProviderUrl,
  OIDC_TOKEN_URL: identityProviderUrl,
  OIDC_CLIENT_ID: unset,
  OIDC_SCOPE: text('openid'),
  JWT_MAX_LIFETIME_SECONDS: integer(1, 24 * 3600),
  // Each second of skew is a second more that an expired token passes (for ever, at 99999999999): a clock further off is to be fixed.
  JWT_CLOCK_SKEW_SECONDS: integer(0, 60, 300, ' (5 minutes: a clock further off is to be fixed, not tolerated, as each second of skew is one more that an expired token passes)'),
  TRUSTED_PROXIES: proxies,
  METRICS_TOKEN: unset.superRefine(inBearerHeader),
  LOG_SIGNING_KEY: unset,
  LOG_KEY_NAME: unset,
  LOG_PREVIOUS_KEYS: unset,
  LOG_CHECKPOINTS: unset.transform((value, context): boolean => {
    if (value === undefined || value === 'on') return true;
    if (value === 'off') return false;
    context.addIssue({ code: 'custom', message: `is "${value}"; choose on or off` });
    return z.NEVER;
  }),
  LOG_CHECKPOINT_DELAY_MS: milliseconds(0, 2000),
  LOG_CHECKPOINT_IDLE_MS: milliseconds(1, 3_600_000),
  LOG_ORGS_IN_MEMORY: integer(1, 10_000),
  STREAM_STATES_IN_MEMORY: integer(1, 20_000),
  STREAM_STATE_EVENTS_IN_MEMORY: integer(1, 100_000),
  RATE_LIMIT_API_PER_ADDRESS: rate('600/60'),
  RATE_LIMIT_ORGS_PER_ADDRESS: rate('10/3600'),
  RATE_LIMIT_CHALLENGES_PER_AGENT: rate('30/60'),
  RATE_LIMIT_CHALLENGES_PER_ORG: rate('600/60'),
  RATE_LIMIT_KEY_REQUESTS_PER_AGENT: rate('5/3600'),
  RATE_LIMIT_KEY_REQUESTS_PER_ORG: rate('100/3600'),
  // Each demotion of an approver holding a key mails them and every approver still holding one; promoting them back mails nobody.
  RATE_LIMIT_ROLE_CHANGES_PER_AGENT: rate('60/3600'),
  // Each policy change that lowers an approval threshold or the recovery delay mails every approver holding a key; raising it back mails nobody.
  RATE_LIMIT_POLICY_CHANGES_PER_AGENT: rate('20/3600'),
  RATE_LIMIT_WRONG_CODES_PER_AGENT: rate('10/3600'),
  RATE_LIMIT_WRONG_CODES_PER_ORG: rate('30/3600'),
  RATE_LIMIT_BROWSER_ACTIONS_PER_AGENT: rate('60/60'),
  RATE_LIMIT_BROWSER_ACTIONS_PER_ORG: rate('1200/60'),
  RATE_LIMIT_NEW_BROWSERS_PER_AGENT: rate('10/86400'),
  // An as-of query of an org of 40,000 agents holds the API's thread ~150 ms: 60 a minute are 15% of a core.
  RATE_LIMIT_HEAVY_READS_PER_AGENT: rate('30/60'),
  RATE_LIMIT_HEAVY_READS_PER_ORG: rate('60/60'),
  CONCURRENT_EXPORTS_PER_ORG: integer(1, 2),
  CONCURRENT_EXPORTS_PER_AGENT: integer(1, 1),
  LOG_SELF_CHECK_INTERVAL_MS: milliseconds(0, 600_000),
  REQUEST_DEADLINES_INTERVAL_MS: milliseconds(1, 60_000),
  WITNESSES: unset,
  WITNESS_QUORUM: integer(0, 0),
  WITNESS_TIMEOUT_MS: milliseconds(1, 2000),
  // `npm run witness`, a process of its own (README, Shared witness).
  WITNESS_PORT: port(0, 3100),
  WITNESS_HOST: text('127.0.0.1'),
  WITNESS_DATA_DIR: folder('./witness-data'),
  WITNESS_SIGNING_KEY: unset,
  WITNESS_KEY_NAME: unset,
  WITNESS_LOG_KEYS: unset,
  WITNESS_MAX_CONNECTIONS: integer(1, 10_000),
  // A checkpoint and its proof are a few KiB, and the server waits WITNESS_TIMEOUT_MS for the answer.
  WITNESS_REQUEST_TIMEOUT_MS: milliseconds(1, 10_000),
});

export type Environment = z.output<typeof ENVIRONMENT>;

/** The name of every variable read: README's tables list each (test/readme/environment.spec.ts). */
export const ENVIRONMENT_VARIABLES = Object.keys(ENVIRONMENT.shape) as (keyof Environment)[];

const RATE_LIMITS = ENVIRONMENT_VARIABLES.filter((name) => name.startsWith('RATE_LIMIT_'));

/** A RATE_LIMIT_ variable that sets no limit (a misspelt name): the operator would believe a limit that is not there. */
function unknownRateLimits(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('RATE_LIMIT_') && !(RATE_LIMITS as string[]).includes(name))
    .map((name) => `${name} is no rate limit of ztkeys; choose from ${RATE_LIMITS.join(', ')}`);
}

/**
 * SMTP_URL without EMAIL_FROM: the emails would go out from the outbox's default, no-reply@localhost,
 * which relays refuse as a sender (every email then failed for good) or deliver as junk. Said only of
 * an SMTP_URL that is one: a wrong one is named for itself.
 */
function senderMissing(env: NodeJS.ProcessEnv, wrong: ReadonlySet<PropertyKey>): string[] {
  if (wrong.has('SMTP_URL')) return [];
  // Blank counts as unset, as for every variable (`unset`).
  const given = (value: string | undefined): boolean => (value ?? '').trim() !== '';
  if (!given(env.SMTP_URL) || given(env.EMAIL_FROM)) return [];
  return [`EMAIL_FROM is required with SMTP_URL: the address your mail server sends ztkeys' emails from ("ztkeys <no-reply@example.com>"); the default, ${DEFAULT_SENDER}, is for the .eml outbox only`];
}

/** The environment, parsed; a ConfigError names every variable that is wrong and why. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = ENVIRONMENT.safeParse(env);
  const problems = [...(parsed.error?.issues.map((issue) => `${issue.path.map(String).join('.')} ${issue.message}`) ?? []), ...unknownRateLimits(env), ...senderMissing(env, new Set(parsed.error?.issues.map((issue) => issue.path[0])))];
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return parsed.data!;
}
