import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pause } from '../../src/shared/pause';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { ROOT, ServerProcess } from '../ops/support/server-process';
import { RedisProcess } from '../notifications/support/redis-process';
import type { ChildExit } from '../support/watched-child';
import { withDeadline } from '../support/with-deadline';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** Every key of Redis matching `pattern` (SCAN: the shared Redis of other suites is never blocked). */
async function keys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found;
}

/** Until `key` exists: the notifier saves a checkpoint that queued no job within half a second. */
async function untilExists(redis: Redis, key: string): Promise<void> {
  while ((await redis.exists(key)) === 0) await pause(50);
}

/** The emails a deployment's workers wrote into its outbox (no SMTP_URL), as raw text. */
function outbox(server: TestServer): string[] {
  const dir = join(server.dataDir, 'outbox');
  try {
    return readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8'));
  } catch {
    return [];
  }
}

/** The emails waiting in a deployment's queue, as its /metrics counts them. */
async function waitingEmails(server: TestServer): Promise<number> {
  const text = (await call<string>(server, 'GET', '/metrics')).body;
  const line = text.split('\n').find((row) => row.startsWith('ztkeys_email_queue_jobs{state="waiting"} '));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function untilReady(server: TestServer): Promise<void> {
  while ((await call(server, 'GET', '/health/ready')).status !== 200) await pause(50);
}

/**
 * Two deployments (staging and production: their own DATA_DIR and log) on one Redis server, each
 * with its own REDIS_KEY_PREFIX, and even the same EMAIL_QUEUE: neither takes the other's leases,
 * spends the other's rate limits, nor shares its email queue or notifier checkpoint. Namespaces
 * and the queue's name are this run's own, so suites run at once never meet.
 */
describe('two deployments on one Redis', () => {
  const run = randomUUID().slice(0, 8);
  const queue = `shared-redis-${run}`;
  const namespaces = { staging: `ztkeys-test-${run}-staging`, production: `ztkeys-test-${run}-production` };
  const servers = {} as Record<keyof typeof namespaces, TestServer>;
  const admins = {} as Record<keyof typeof namespaces, TestAgent>;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    for (const name of ['staging', 'production'] as const) {
      servers[name] = await startTestServer({
        REDIS_URL,
        REDIS_KEY_PREFIX: namespaces[name],
        EMAIL_QUEUE: queue,
        RATE_LIMIT_ORGS_PER_ADDRESS: '2/60',
        MIN_POSITION_WAIT_MS: '3000',
        // Production's workers run elsewhere (or are stopped): whatever sends its emails is no process of its own here.
        ...(name === 'production' ? { ROLES: 'api,projector,notifier' } : {}),
      });
    }
    await Promise.all(Object.values(servers).map(untilReady));
    for (const name of ['staging', 'production'] as const) admins[name] = await new Journey(servers[name]).createOrg(`alice-${name}`);
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((server) => server.close()));
    // The queues and checkpoints outlive the servers: this run's namespaces go with them.
    const left = await keys(redis, `ztkeys-test-${run}-*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  it('projects the read models of both: each runs its own projector under a lease of its own', async () => {
    for (const [name, server] of Object.entries(servers) as [keyof typeof namespaces, TestServer][]) {
      const head = String(await server.eventStore.headPosition());
      const reply = await call(server, 'GET', `/v1/orgs/${admins[name].orgId}/key-requests`, admins[name].token, undefined, { 'x-min-position': head });
      expect(reply.status).toBe(200);
    }
  });

  it('keeps each rate limit per deployment: staging using up its per-address budget leaves production its own', async () => {
    const create = (server: TestServer) => call(server, 'POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'alice' } });
    // Each created one org before the tests: one more each is the last of 2.
    expect((await create(servers.staging)).status).toBe(201);
    expect((await create(servers.staging)).status).toBe(429);
    expect((await create(servers.production)).status).toBe(201);
  });

  it("leaves each deployment's emails to its own workers: staging's never send production's", async () => {
    for (const [name, server] of Object.entries(servers) as [keyof typeof namespaces, TestServer][]) {
      const journey = new Journey(server);
      await journey.requestKey(admins[name]);
      await journey.activeKey(await journey.addAgent(admins[name], `bob-${name}`), admins[name]);
    }
    // Each approval mails its approver and its requester (at least). Production runs no worker: its
    // emails wait in its queue, unless a worker of staging takes them.
    const mailing = (server: TestServer, name: string) => outbox(server).filter((mail) => mail.includes(`${name}@example.com`));
    while (mailing(servers.staging, 'staging').length < 2) await pause(50);
    while (mailing(servers.staging, 'production').length < 2 && (await waitingEmails(servers.production)) < 2) await pause(50);
    expect(mailing(servers.staging, 'production')).toEqual([]);
    expect(await waitingEmails(servers.production)).toBeGreaterThanOrEqual(2);
  });

  it("writes every key of a deployment under its namespace: its claim, leases, rate limits, the notifier's checkpoint, the orgs found tampered, the email queue", async () => {
    for (const [name, namespace] of Object.entries(namespaces) as [keyof typeof namespaces, string][]) {
      expect(await redis.get(`${namespace}:deployment`)).toBe((await call<string>(servers[name], 'GET', '/v1/log-key')).body.trim());
      await untilExists(redis, `${namespace}:${queue}:notifier-checkpoint`);
      await untilExists(redis, `${namespace}:tampered-orgs`);
      expect(await redis.exists(`${namespace}:lease:projector`, `${namespace}:lease:request-deadlines`)).toBe(2);
      expect(await keys(redis, `${namespace}:rate:orgs_per_address:*`)).toHaveLength(1);
      expect(await keys(redis, `${namespace}:bull:${queue}:*`)).not.toHaveLength(0);
    }
    // The queue both name lives twice, once per namespace: never under BullMQ's shared default prefix.
    expect(await keys(redis, `bull:${queue}:*`)).toEqual([]);
  });
});

/**
 * Two deployments (their own DATA_DIR, so their own log key) started by mistake with the same
 * REDIS_URL and REDIS_KEY_PREFIX: the built server as an operator runs it. The second is refused
 * at start, the first serves on; processes of one deployment (one DATA_DIR) still start beside it.
 */
describe('two deployments on one Redis prefix', () => {
  const prefix = `ztkeys-test-${randomUUID().slice(0, 8)}-one-prefix`;
  const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, EMAIL_QUEUE: `shared-redis-${prefix}` };
  const dataDirs = { first: mkdtempSync(join(tmpdir(), 'ztkeys-first-')), second: mkdtempSync(join(tmpdir(), 'ztkeys-second-')) };
  const started: ServerProcess[] = [];
  const spawn = (extra: Record<string, string>, command?: string[]): ServerProcess => {
    const server = ServerProcess.spawn({ ...env, ...extra }, command);
    started.push(server);
    return server;
  };
  const worker = (dataDir: string, extra: Record<string, string> = {}) => spawn({ DATA_DIR: dataDir, ...extra }, [process.execPath, join(ROOT, 'dist/src/notifications/worker.main.js')]);
  /** The process's exit, or 'started' once it logged `started` (a message, or the server's listening line) while still running. */
  const outcome = (child: ServerProcess, started: RegExp): Promise<ChildExit | 'started'> =>
    withDeadline(
      `${child.name} to exit or log ${started}`,
      30_000,
      async (signal) => {
        for (;;) {
          if (child.child.exitCode !== null || child.child.signalCode !== null) return child.exited;
          if (child.logLines.some((line) => started.test(String(line.msg)))) return 'started';
          signal.throwIfAborted();
          await pause(100);
        }
      },
      () => child.describe(),
    );
  const claimKey = `${prefix}:deployment`;
  /** Until `claimKey` in `client`'s Redis names `identity`: a running process checks its claim every few seconds. */
  const untilClaimedBy = (client: Redis, identity: string): Promise<void> =>
    withDeadline(`${claimKey} to name ${identity}`, 5_000, async (signal) => {
      while ((await client.get(claimKey)) !== identity) {
        signal.throwIfAborted();
        await pause(50);
      }
    });
  /** The deployment a server is: the log key it serves. */
  const identityOf = async (serverUrl: string): Promise<string> => (await (await fetch(`${serverUrl}/v1/log-key`)).text()).trim();
  const warnings = (child: ServerProcess) => child.logLines.filter((line) => line.level === 40).map((line) => String(line.msg));
  const errors = (child: ServerProcess) => child.logLines.filter((line) => line.level >= 50).map((line) => String(line.msg));
  let redis: Redis;
  let first: ServerProcess;
  let url: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    first = spawn({ DATA_DIR: dataDirs.first });
    url = await first.listening();
  });
  afterAll(async () => {
    started.forEach((server) => server.dispose());
    const left = await keys(redis, `${prefix}:*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
    Object.values(dataDirs).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it('refuses to start the second with one line naming the prefix and what to do, exit code 1, while the first serves on', async () => {
    const second = spawn({ DATA_DIR: dataDirs.second });
    expect(await outcome(second, /is listening on/)).toEqual({ code: 1, signal: null });
    const fatal = second.logLines.filter((line) => line.level >= 50);
    expect(fatal).toHaveLength(1);
    expect(fatal[0].msg).toMatch(
      new RegExp(`^ztkeys cannot start: REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment \\(log key .+\\), not this one \\(log key .+\\): give each deployment its own REDIS_KEY_PREFIX`),
    );
    expect(second.stdout).not.toMatch(/listening/);
    expect(second.stderr).toBe('');
    // The first is untouched: it still answers, and the claim still names it.
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const logKey = (await (await fetch(`${url}/v1/log-key`)).text()).trim();
    expect(await redis.get(`${prefix}:deployment`)).toBe(logKey);
  }, 60_000);

  it('claims the prefix again within 5 s when Redis lost the claim while it runs (flushed: its key gone), with a warning; a second deployment started then is refused at start as before', async () => {
    const identity = await identityOf(url);
    await redis.del(claimKey);
    await untilClaimedBy(redis, identity);
    expect(warnings(first)).toContainEqual(expect.stringMatching(new RegExp(`^Redis lost this deployment's claim of REDIS_KEY_PREFIX ${prefix} \\(${claimKey} was gone.*\\): claimed it again`)));
    const second = spawn({ DATA_DIR: dataDirs.second });
    expect(await outcome(second, /is listening on/)).toEqual({ code: 1, signal: null });
    expect(errors(second)).toEqual([expect.stringMatching(new RegExp(`^ztkeys cannot start: REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment`))]);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  }, 60_000);

  it("refuses the other deployment's npm run worker too, with the same line", async () => {
    // The refused server above left its log key in its DATA_DIR: the worker reads it there.
    const stray = worker(dataDirs.second);
    expect(await outcome(stray, /^email worker ready$/)).toEqual({ code: 1, signal: null });
    expect(stray.logLines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
      expect.stringMatching(new RegExp(`^email worker cannot start: REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment`)),
    ]);
  }, 60_000);

  it("a deployment started while its Redis is away claims the prefix once Redis answers: another deployment's stops it then, exit code 1", async () => {
    // A Redis of the test's own, holding the first deployment's claim, stopped while the second starts.
    const away = await RedisProcess.start();
    try {
      const client = new Redis(away.url);
      await client.set(`${prefix}:deployment`, (await (await fetch(`${url}/v1/log-key`)).text()).trim());
      client.disconnect();
      await away.stop();
      const late = spawn({ REDIS_URL: away.url });
      expect(await outcome(late, /is listening on/)).toBe('started');
      await away.resume();
      expect(await late.exitWithin(20_000)).toEqual({ code: 1, signal: null });
      expect(late.logLines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
        expect.stringMatching(new RegExp(`^ztkeys stops: REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment`)),
      ]);
      expect(late.stderr).toBe('');
    } finally {
      await away.destroy();
    }
  }, 60_000);

  it('claims it again when its Redis comes back without its data, and stops (exit code 1, one line naming both deployments) once another deployment holds it', async () => {
    const own = await RedisProcess.start();
    const client = new Redis(own.url);
    try {
      const running = spawn({ REDIS_URL: own.url });
      const identity = await identityOf(await running.listening());
      await own.restartEmpty();
      await untilClaimedBy(client, identity);
      // Another deployment took the prefix (one started before the claim was back): this one stops.
      const other = await identityOf(url);
      await client.set(claimKey, other);
      expect(await running.exitWithin(10_000)).toEqual({ code: 1, signal: null });
      expect(errors(running)).toEqual([
        `ztkeys stops: REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment (log key ${other}), not this one (log key ${identity}): give each deployment its own REDIS_KEY_PREFIX; to move the prefix to this deployment, see README (several deployments on one Redis) before deleting ${claimKey}`,
      ]);
      expect(running.stderr).toBe('');
    } finally {
      client.disconnect();
      await own.destroy();
    }
  }, 60_000);

  it('npm run worker keeps its claim as the server does: claimed again once lost, stopped (exit code 1) once another deployment holds it', async () => {
    const own = await RedisProcess.start();
    const client = new Redis(own.url);
    try {
      const running = worker(dataDirs.first, { REDIS_URL: own.url });
      expect(await outcome(running, /^email worker ready$/)).toBe('started');
      const identity = await identityOf(url);
      await client.del(claimKey);
      await untilClaimedBy(client, identity);
      expect(warnings(running)).toContainEqual(expect.stringMatching(new RegExp(`^Redis lost this deployment's claim of REDIS_KEY_PREFIX ${prefix}`)));
      await client.set(claimKey, 'another deployment');
      expect(await running.exitWithin(10_000)).toEqual({ code: 1, signal: null });
      expect(errors(running)).toEqual([
        expect.stringMatching(new RegExp(`^email worker stops: REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment \\(log key another deployment\\)`)),
      ]);
    } finally {
      client.disconnect();
      await own.destroy();
    }
  }, 60_000);

  it('starts every other process of the first deployment: an api beside it on its DATA_DIR, and npm run worker', async () => {
    const api = spawn({ DATA_DIR: dataDirs.first, ROLES: 'api' });
    const apiUrl = await api.listening();
    expect((await fetch(`${apiUrl}/health/live`)).status).toBe(200);
    expect(await outcome(worker(dataDirs.first), /^email worker ready$/)).toBe('started');
  }, 60_000);
});
