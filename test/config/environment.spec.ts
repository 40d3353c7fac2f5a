import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { ConfigError } from '../../src/config/config-error';
import { loadSecrets } from '../../src/config/secrets';
import { rolesOfWorker } from '../../src/runtime/cluster';
import { notificationsConfig } from '../../src/notifications/notifications.config';
import { embeddedEnv } from '../support/embedded-env';
import { cosignerFromSeed, cosignerKeyText } from '../../src/transparency/cosignature';

const STRONG = 'x'.repeat(32);
const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

describe('configuration from the environment', () => {
  it('defaults every variable', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      roles: ['api', 'projector', 'notifier', 'worker'],
      minPositionWaitMs: 5000,
      bodyLimitBytes: 65536,
      requestTimeoutMs: 60_000,
      logLevel: 'info',
      rebuildGraceMs: 10_000,
      jwtSecret: undefined,
    });
  });

  it('treats an empty or blank variable as unset', () => {
    expect(loadConfig({ JWT_SECRET: '', BOOTSTRAP_TOKEN: '  ', PORT: '' })).toMatchObject({ jwtSecret: undefined, bootstrapToken: undefined, port: 3000 });
  });

  it.each(['JWT_SECRET', 'BOOTSTRAP_TOKEN', 'CHALLENGE_SECRET'])('refuses a %s shorter than 32 bytes, naming it', (name) => {
    expect(() => loadConfig({ [name]: 'a' })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: 'a' })).toThrow(`${name} must be at least 32 bytes, got 1`);
    // Bytes, not characters: 11 three-byte characters are 33 bytes (the bootstrap token travels in a Bearer header: ASCII).
    if (name !== 'BOOTSTRAP_TOKEN') expect(loadConfig({ [name]: '€'.repeat(11) })).toBeDefined();
    expect(() => loadConfig({ [name]: 'x'.repeat(31) })).toThrow(name);
    expect(() => loadConfig({ [name]: STRONG })).not.toThrow();
  });

  it('reads each rate limit as <requests>/<seconds>, with defaults that protect production', () => {
    const { rateLimits } = loadConfig({ RATE_LIMIT_CHALLENGES_PER_AGENT: '12/30' });
    expect(rateLimits.challenges_per_agent).toEqual({ points: 12, seconds: 30 });
    expect(rateLimits.orgs_per_address).toEqual({ points: 10, seconds: 3600 });
    expect(rateLimits.key_requests_per_agent).toEqual({ points: 5, seconds: 3600 });
    expect(rateLimits.role_changes_per_agent).toEqual({ points: 60, seconds: 3600 });
    expect(rateLimits.policy_changes_per_agent).toEqual({ points: 20, seconds: 3600 });
    expect([rateLimits.heavy_reads_per_agent, rateLimits.heavy_reads_per_org]).toEqual([{ points: 30, seconds: 60 }, { points: 60, seconds: 60 }]);
    for (const bad of ['30', '0/60', '30/0', '-1/60', '1.5/60', 'many/60']) {
      expect(() => loadConfig({ RATE_LIMIT_ORGS_PER_ADDRESS: bad })).toThrow(`RATE_LIMIT_ORGS_PER_ADDRESS must be "<requests>/<seconds>" with both positive, e.g. "30/60", got "${bad}"`);
    }
  });

  it('names every wrong variable at once, and what is wrong with it', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', ROLES: 'api,cron', LOG_LEVEL: 'loud', JWT_SECRET: 'a', EMAIL_ATTEMPTS: '0', REQUEST_TIMEOUT_MS: '0' });
    expect(attempt).toThrow('PORT must be a non-negative integer, got "eighty"');
    expect(attempt).toThrow('ROLES holds "cron"; choose from api, projector, notifier, worker');
    expect(attempt).toThrow('LOG_LEVEL is "loud"');
    expect(attempt).toThrow('JWT_SECRET must be at least 32 bytes');
    expect(attempt).toThrow('EMAIL_ATTEMPTS must be a positive integer, got "0"');
    // 0 would be no limit at all: a request whose body never ends would hold its connection forever.
    expect(attempt).toThrow('REQUEST_TIMEOUT_MS must be a positive integer, got "0"');
  });

  it('refuses a ROLES list naming a role twice, and an EMAIL_FROM that is not one address', () => {
    expect(() => loadConfig({ ROLES: 'api,api' })).toThrow('ROLES names "api" twice');
    expect(loadConfig({ ROLES: 'api, projector' }).roles).toEqual(['api', 'projector']);
    for (const bad of ['garbage', 'ztkeys', 'a@b, c@d', 'x <@>', 'Team: a@b;', 'no-reply@', '@example.com']) {
      expect(() => loadConfig({ EMAIL_FROM: bad })).toThrow(`EMAIL_FROM must be one address with a domain ("ztkeys <no-reply@example.com>"), got "${bad}"`);
    }
    expect(() => loadConfig({ EMAIL_FROM: 'ztkeys <no-reply@example.com>' })).not.toThrow();
    expect(() => loadConfig({ EMAIL_FROM: 'no-reply@example.com' })).not.toThrow();
  });

  it('takes integers written as digits only, and refuses ports past 65535, timers past 2^31-1 ms and more workers than cores', () => {
    for (const bad of ['1e3', '0x10', '3.5', '-1', '+80', '8 0']) expect(() => loadConfig({ PORT: bad })).toThrow(`PORT must be a non-negative integer, got "${bad}"`);
    expect(() => loadConfig({ PORT: '99999' })).toThrow('PORT must be at most 65535, got "99999"');
    expect(loadConfig({ PORT: '65535' }).port).toBe(65_535);
    expect(() => loadConfig({ EMAIL_WORKER_METRICS_PORT: '70000' })).toThrow('EMAIL_WORKER_METRICS_PORT must be at most 65535');
    // Node fires a longer timer after 1 ms: a huge interval would make the scheduler spin.
    for (const name of ['LOG_SELF_CHECK_INTERVAL_MS', 'REQUEST_DEADLINES_INTERVAL_MS', 'LOG_CHECKPOINT_IDLE_MS', 'REQUEST_TIMEOUT_MS', 'CONNECTION_TIMEOUT_MS', 'KEEP_ALIVE_TIMEOUT_MS', 'MIN_POSITION_WAIT_MS']) {
      expect(() => loadConfig({ [name]: '99999999999' })).toThrow(`${name} must be at most 2147483647 (about 24.8 days, the longest timer), got "99999999999"`);
      // The longest wait for a position needs a connection that outlasts it (the next test).
      expect(() => loadConfig({ CONNECTION_TIMEOUT_MS: '2147483647', MIN_POSITION_WAIT_MS: '0', [name]: name === 'MIN_POSITION_WAIT_MS' ? '2147483646' : '2147483647' })).not.toThrow();
    }
    expect(() => loadConfig({ WORKERS: '1000000' })).toThrow(`WORKERS must be at most ${availableParallelism()} (the cores of this machine), got "1000000"`);
    expect(loadConfig({ WORKERS: String(availableParallelism()) }).workers).toBe(availableParallelism());
  });

  it('closes a connection idle for a minute (72 s after an answer) and keeps at most 10,000 open unless CONNECTION_TIMEOUT_MS (KEEP_ALIVE_TIMEOUT_MS, MAX_CONNECTIONS) says otherwise, never before a wait for X-Min-Position ends', () => {
    expect(loadConfig({}).connectionTimeoutMs).toBe(60_000);
    expect(loadConfig({}).keepAliveTimeoutMs).toBe(72_000);
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '0' })).toThrow('KEEP_ALIVE_TIMEOUT_MS must be a positive integer, got "0"');
    expect(loadConfig({}).maxConnections).toBe(10_000);
    expect(() => loadConfig({ MAX_CONNECTIONS: '0' })).toThrow('MAX_CONNECTIONS must be a positive integer, got "0"');
    expect(loadConfig({ CONNECTION_TIMEOUT_MS: '200', MIN_POSITION_WAIT_MS: '100' }).connectionTimeoutMs).toBe(200);
    // 0 would be Fastify's "no timeout": a client that never reads an export would hold its connection forever.
    expect(() => loadConfig({ CONNECTION_TIMEOUT_MS: '0' })).toThrow('CONNECTION_TIMEOUT_MS must be a positive integer, got "0"');
    for (const wait of ['60000', '90000']) {
      expect(() => loadConfig({ MIN_POSITION_WAIT_MS: wait })).toThrow(`CONNECTION_TIMEOUT_MS (60000) must be longer than MIN_POSITION_WAIT_MS (${wait})`);
    }
  });

  it('lets 2 exports of an org and 1 of an agent run at once unless CONCURRENT_EXPORTS_PER_ORG and _PER_AGENT say otherwise, and refuses a bound of none or an agent\'s above its org\'s', () => {
    expect(loadConfig({}).concurrentExports).toEqual({ perOrg: 2, perAgent: 1 });
    expect(loadConfig({ CONCURRENT_EXPORTS_PER_ORG: '5', CONCURRENT_EXPORTS_PER_AGENT: '5' }).concurrentExports).toEqual({ perOrg: 5, perAgent: 5 });
    expect(loadConfig({ CONCURRENT_EXPORTS_PER_ORG: '1' }).concurrentExports).toEqual({ perOrg: 1, perAgent: 1 });
    for (const name of ['CONCURRENT_EXPORTS_PER_ORG', 'CONCURRENT_EXPORTS_PER_AGENT'])
      for (const bad of ['0', '-1', '2.5', 'many']) expect(() => loadConfig({ [name]: bad })).toThrow(`${name} must be a positive integer, got "${bad}"`);
    // A bound above the org's would never refuse.
    expect(() => loadConfig({ CONCURRENT_EXPORTS_PER_AGENT: '3' })).toThrow('CONCURRENT_EXPORTS_PER_AGENT (3) must be at most CONCURRENT_EXPORTS_PER_ORG (2)');
  });

  it('refuses a weak secret kept in DATA_DIR, and generates strong ones', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-config-'));
    try {
      const generated = loadSecrets(loadConfig({ DATA_DIR: dataDir }));
      for (const value of [generated.jwtSecret!, generated.bootstrapToken, generated.challengeSecret]) expect(Buffer.byteLength(value)).toBeGreaterThanOrEqual(32);
      writeFileSync(join(dataDir, 'challenge-secret'), 'short\n');
      expect(() => loadSecrets(loadConfig({ DATA_DIR: dataDir }))).toThrow(`${join(dataDir, 'challenge-secret')} must be at least 32 bytes, got 5`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("bounds the Merkle follower's orgs in memory at 10,000 unless LOG_ORGS_IN_MEMORY says otherwise, and refuses a bound of none", () => {
    expect(loadConfig({}).orgsInMemory).toBe(10_000);
    expect(loadConfig({ LOG_ORGS_IN_MEMORY: '500' }).orgsInMemory).toBe(500);
    for (const bad of ['0', '-1', '2.5', 'many']) expect(() => loadConfig({ LOG_ORGS_IN_MEMORY: bad })).toThrow(`LOG_ORGS_IN_MEMORY must be a positive integer, got "${bad}"`);
  });

  it('serves a fetched key set for 10 minutes unless JWKS_CACHE_SECONDS says otherwise, a day at most', () => {
    expect(loadConfig({}).jwksCacheSeconds).toBe(600);
    expect(loadConfig({ JWKS_CACHE_SECONDS: '60' }).jwksCacheSeconds).toBe(60);
    expect(() => loadConfig({ JWKS_CACHE_SECONDS: '0' })).toThrow('JWKS_CACHE_SECONDS must be a positive integer, got "0"');
    expect(() => loadConfig({ JWKS_CACHE_SECONDS: '86401' })).toThrow('JWKS_CACHE_SECONDS must be at most 86400, got "86401"');
  });

  it('bounds each stream-state cache at 20,000 states and 100,000 events unless STREAM_STATES_IN_MEMORY and STREAM_STATE_EVENTS_IN_MEMORY say otherwise, and refuses a bound of none', () => {
    expect(loadConfig({}).stateCacheLimits).toEqual({ states: 20_000, events: 100_000 });
    expect(loadConfig({ STREAM_STATES_IN_MEMORY: '2000', STREAM_STATE_EVENTS_IN_MEMORY: '10000' }).stateCacheLimits).toEqual({ states: 2000, events: 10_000 });
    for (const name of ['STREAM_STATES_IN_MEMORY', 'STREAM_STATE_EVENTS_IN_MEMORY']) {
      for (const bad of ['0', '-1', '2.5', 'many']) expect(() => loadConfig({ [name]: bad })).toThrow(`${name} must be a positive integer, got "${bad}"`);
    }
  });

  it('runs one process unless WORKERS says more; only the first worker follows the log; the SMTP pool is its own setting', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ WORKERS: '2' }).workers).toBe(2);
    expect(() => loadConfig({ WORKERS: '0' })).toThrow('WORKERS');
    expect(rolesOfWorker(['api', 'projector', 'notifier', 'worker'], 0)).toEqual(['api', 'projector', 'notifier', 'worker']);
    expect(rolesOfWorker(['api', 'projector', 'notifier', 'worker'], 1)).toEqual(['api']);
    expect(notificationsConfig({}).smtpPool).toEqual({ maxConnections: 4, maxMessages: 1000 });
    expect(notificationsConfig({ EMAIL_WORKER_CONCURRENCY: '8' }).smtpPool.maxConnections).toBe(4);
    expect(notificationsConfig({ EMAIL_WORKER_CONCURRENCY: '8', SMTP_MAX_CONNECTIONS: '2' }).smtpPool.maxConnections).toBe(2);
  });

  it('splits the embedded projector over two threads where there are two cores, unless PROJECTOR_THREADS says otherwise (one a core at most)', () => {
    expect(loadConfig({}).projectorThreads).toBe(Math.min(2, availableParallelism()));
    expect(loadConfig({ PROJECTOR_THREADS: '1' }).projectorThreads).toBe(1);
    expect(loadConfig({ PROJECTOR_THREADS: String(availableParallelism()) }).projectorThreads).toBe(availableParallelism());
    for (const bad of ['0', '-1', '1.5', 'two']) expect(() => loadConfig({ PROJECTOR_THREADS: bad })).toThrow(`PROJECTOR_THREADS must be a positive integer, got "${bad}"`);
    expect(() => loadConfig({ PROJECTOR_THREADS: '1000' })).toThrow(`PROJECTOR_THREADS must be at most ${availableParallelism()} (the cores of this machine), got "1000"`);
  });

  it('refuses a value the server could not use, naming the variable, rather than failing later or never', () => {
    expect(() => loadConfig({ JWKS_URL: 'idp.example.com/jwks', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' })).toThrow('JWKS_URL must be an http(s) URL, got "idp.example.com/jwks"');
    expect(loadConfig({ JWKS_URL: 'https://idp.example.com/jwks', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' }).jwksUrl).toBe('https://idp.example.com/jwks');
    // The key set decides whose tokens pass, and the console's code and token travel to the provider: in clear, whoever sits between could forge or take them.
    const oidc = { JWT_ISSUER: 'i', JWT_AUDIENCE: 'a', OIDC_AUTHORIZATION_URL: 'https://id.example/authorize', OIDC_TOKEN_URL: 'https://id.example/token', OIDC_CLIENT_ID: 'console' };
    for (const name of ['JWKS_URL', 'OIDC_AUTHORIZATION_URL', 'OIDC_TOKEN_URL']) {
      for (const plain of ['http://id.example/x', 'http://10.0.0.7:8080/x', 'HTTP://id.example/x']) {
        expect(() => loadConfig({ JWKS_URL: 'https://id.example/jwks', ...oidc, [name]: plain })).toThrow(`${name} must be an https URL`);
      }
      for (const local of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]:9/x']) expect(() => loadConfig({ JWKS_URL: 'https://id.example/jwks', ...oidc, [name]: local })).not.toThrow();
    }
    // A proxy list Fastify cannot compile would stop the start with a stack trace.
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.1, proxy.internal' })).toThrow('TRUSTED_PROXIES holds "proxy.internal"; give addresses or CIDRs');
    for (const bad of ['10.0.0.0/33', '::1/129', '10.0.0.0/']) expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(`TRUSTED_PROXIES holds "${bad}"`);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8, ::1' }).trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']);
    // A token no Authorization: Bearer header can carry would lock /metrics (or POST /v1/orgs) for good.
    for (const name of ['METRICS_TOKEN', 'BOOTSTRAP_TOKEN']) {
      expect(() => loadConfig({ [name]: `${STRONG} with spaces` })).toThrow(`${name} may hold only letters, digits and -._~+/= (what a Bearer header carries)`);
      expect(loadConfig({ [name]: 'aZ09-._~+/='.repeat(3) })).toBeDefined();
    }
    expect(() => loadConfig({ SMTP_URL: 'mail.example.com:587' })).toThrow('SMTP_URL must be an smtp:// or smtps:// URL, got "mail.example.com:587"');
    expect(loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.com:465', EMAIL_FROM: 'keys@example.com' }).smtpUrl).toBe('smtps://user:pass@mail.example.com:465');
    // The outbox's default sender, no-reply@localhost, is refused or junked by mail servers.
    for (const from of [{}, { EMAIL_FROM: ' ' }]) {
      expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com:587', ...from })).toThrow('EMAIL_FROM is required with SMTP_URL');
    }
    expect(() => loadConfig({ REDIS_URL: 'http://redis:6379' })).toThrow('REDIS_URL must be a redis:// or rediss:// URL, got "http://redis:6379"');
    expect(notificationsConfig({ REDIS_URL: 'rediss://:secret@redis:6380/1' }).redisUrl).toBe('rediss://:secret@redis:6380/1');
    // One namespace per deployment on a shared Redis; the default keeps the key names of earlier versions.
    expect(loadConfig({}).redisKeyPrefix).toBe('ztkeys');
    expect(loadConfig({ REDIS_KEY_PREFIX: 'ztkeys-staging' }).redisKeyPrefix).toBe('ztkeys-staging');
    expect(notificationsConfig({ REDIS_KEY_PREFIX: 'ztkeys-staging' }).redisKeyPrefix).toBe('ztkeys-staging');
    // A ':' would let one namespace be the start of another's keys.
    for (const bad of ['staging:eu', '-staging', 'stag ing', 'x'.repeat(65)]) expect(() => loadConfig({ REDIS_KEY_PREFIX: bad })).toThrow(`REDIS_KEY_PREFIX must be 1 to 64 letters, digits, '.', '_' or '-' (no ':'), starting with a letter or digit, got "${bad}"`);
  });

  /** What the built server prints (stdout and stderr) when it refuses to start with these variables, and its exit code. */
  async function failedStart(vars: Record<string, string>): Promise<{ code: number | null; messages: string[] }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-config-'));
    try {
      const env = embeddedEnv({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...vars });
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const server = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let printed = '';
        server.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
        server.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
        server.on('error', reject);
        // One that starts instead (the value accepted) fails the test rather than holding it.
        const started = setTimeout(() => server.kill('SIGKILL'), 20_000);
        server.on('close', (exit) => (clearTimeout(started), resolve({ code: exit, output: printed })));
      });
      // Logs are JSON lines, from the first to the last.
      return { code, messages: output.trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg) };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('keeps the built server from starting with a weak secret, naming the variable', async () => {
    const { code, messages } = await failedStart({ JWT_SECRET: 'a', BOOTSTRAP_TOKEN: 'b', CHALLENGE_SECRET: STRONG });
    expect(code).toBe(1);
    // The fatal line names the variables, without a stack.
    expect(messages.join('\n')).toMatch(/^ztkeys cannot start: JWT_SECRET must be at least 32 bytes, got 1.*; BOOTSTRAP_TOKEN must be at least 32 bytes, got 1/m);
    expect(messages.join('\n')).not.toMatch(/CHALLENGE_SECRET/);
  }, 30_000);

  it('keeps the built server from starting on a DATA_DIR that begins or ends with whitespace, creating nothing: that folder would be a new, empty deployment', async () => {
    // A .env line "DATA_DIR=/var/lib/ztkeys " started a server on a folder of its own: a new log, new secrets, every token refused.
    const spaced = `${join(tmpdir(), `ztkeys-spaced-${process.pid}`)} `;
    try {
      const { code, messages } = await failedStart({ DATA_DIR: spaced });
      expect(code).toBe(1);
      expect(messages).toEqual([expect.stringContaining(`ztkeys cannot start: DATA_DIR must not begin or end with whitespace, got "${spaced}": a folder of that name would be a new, empty one`)]);
      expect(existsSync(spaced)).toBe(false);
    } finally {
      rmSync(spaced, { recursive: true, force: true });
    }
  }, 30_000);

  it('keeps the built server from starting with one witness named twice in WITNESSES: its cosignature counted twice met a WITNESS_QUORUM of 2 alone', async () => {
    const witness = cosignerKeyText(cosignerFromSeed('witness.example/w1', Buffer.alloc(32, 2)));
    const { code, messages } = await failedStart({ WITNESSES: `http://127.0.0.1:9 ${witness}, http://witness.example:3100 ${witness}`, WITNESS_QUORUM: '2' });
    expect(code).toBe(1);
    expect(messages).toEqual([expect.stringContaining('ztkeys cannot start: WITNESSES names witness.example/w1 twice')]);
  }, 30_000);

  it.each([
    // Read before the configuration to set up the logger itself.
    ['LOG_LEVEL', 'loud', 'ztkeys cannot start: LOG_LEVEL is "loud"; choose from fatal, error, warn, info, debug, trace, silent'],
    // Checked by the KurrentDB adapter as it opens.
    ['EVENTSTORE_URL', 'http://kurrentdb:2113', 'ztkeys cannot start: EVENTSTORE_URL must be a KurrentDB/EventStoreDB connection string'],
    // Fastify's own check of its option stopped the start with a stack.
    ['BODY_LIMIT_BYTES', '0', 'ztkeys cannot start: BODY_LIMIT_BYTES must be a positive integer, got "0"'],
    // The name of the key generated on first start: the note format's own check stopped the start with a stack.
    ['LOG_KEY_NAME', 'audit log+1', `ztkeys cannot start: LOG_KEY_NAME "audit log+1" is not a key name: it must be non-empty, without spaces or '+'`],
    // A misspelt limit was ignored: the operator believed a limit that was not there.
    ['RATE_LIMIT_API_PER_ADRESS', '1/60', 'ztkeys cannot start: RATE_LIMIT_API_PER_ADRESS is no rate limit of ztkeys; choose from RATE_LIMIT_API_PER_ADDRESS, '],
  ])('keeps the built server from starting with a bad %s in one JSON line naming it, without a stack', async (name, value, message) => {
    const { code, messages } = await failedStart({ [name]: value });
    expect(code).toBe(1);
    expect(messages).toEqual([expect.stringContaining(message)]);
  }, 30_000);
});
