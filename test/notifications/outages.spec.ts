import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Registry } from 'prom-client';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { EmailNotifications } from '../../src/notifications/email-notifications';
import { notificationsConfig } from '../../src/notifications/notifications.config';
import { OrgLog } from './support/org-log';
import { freePort, RedisProcess } from './support/redis-process';
import { WorkerProcess } from './support/worker-process';
import { SmtpSink } from './support/smtp-sink';
import { gate, waitFor } from './support/wait-for';
import { withDeadline } from '../support/with-deadline';

/**
 * R12 under outages, for real: a redis-server of the test's own (append-only, on another
 * loopback port) stopped and started again, and an SMTP server that refuses for a while.
 */
describe('email delivery through outages', () => {
  let dir: string;
  let events: SqliteEventStore;
  let sink: SmtpSink;
  let redis: RedisProcess;
  let notifications: EmailNotifications | undefined;
  let errors: unknown[];

  beforeAll(async () => {
    redis = await RedisProcess.start();
  });
  afterAll(async () => {
    await redis.destroy();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-outage-'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    sink = await SmtpSink.start();
    errors = [];
  });
  afterEach(async () => {
    await withDeadline('the notifier and its worker to stop', 15_000, notifications?.stop() ?? Promise.resolve());
    notifications = undefined;
    await sink.stop();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(env: Record<string, string>, registry = new Registry()): EmailNotifications {
    const config = notificationsConfig({
      DATA_DIR: dir,
      SMTP_URL: sink.url,
      EMAIL_FROM: 'ztkeys <keys@acme.example>',
      EMAIL_BACKOFF_MS: '50',
      EMAIL_ATTEMPTS: '12',
      EMAIL_LOCK_MS: '5000',
      EMAIL_QUEUE: `outage-${Date.now()}`,
      ...env,
    });
    notifications = new EmailNotifications({
      config,
      events,
      registry,
     
      worker: true,
      onError: (error) => errors.push(error),
    });
    notifications.start();
    return notifications;
  }

  /** Ten members in an org whose SUPER_ADMIN Sam holds the first key (1 email); each request of theirs mails Sam. */
  async function org(orgId: string) {
    const log = new OrgLog(events, orgId);
    const sam = log.agent('Sam');
    await log.create(`Org ${orgId}`, sam);
    await log.firstKey(sam);
    const agents = Array.from({ length: 10 }, (_, i) => log.agent(`Agent${i}`));
    for (const agent of agents) await log.add(agent, 'MEMBER');
    return { log, sam, agents };
  }

  it('Redis stopped while keys are requested and approved: once it is back, every email is delivered, each once', async () => {
    const app = start({ REDIS_URL: redis.url });
    const { log, sam, agents } = await org('acme');
    const [before, during] = [agents.slice(0, 5), agents.slice(5)];
    // Some sends are in flight when Redis stops: the SMTP server holds its replies until then.
    const held = gate();
    sink.holdReply = held.promise;
    for (const agent of before) await log.approve(agent, await log.request(agent), 'APPROVAL', sam);
    await waitFor('sends in flight', () => sink.received.length >= 2);
    expect(await app.readiness.ping()).toBe(true);

    await redis.stop();
    expect(await app.readiness.ping()).toBe(false);
    sink.holdReply = undefined;
    held.open();
    const failuresBefore = errors.length;
    for (const agent of during) await log.approve(agent, await log.request(agent), 'APPROVAL', sam);
    // Let the outage be felt: refused connections, and the notifier retrying the same event.
    await waitFor('the outage to be felt', () => errors.length > failuresBefore + 2);

    await redis.resume();
    await waitFor('21 emails', () => sink.received.length >= 21);
    await waitFor('21 completed jobs', async () => (await app.queue.counts()).completed >= 21);
    expect(await app.readiness.ping()).toBe(true);
    expect(sink.received).toHaveLength(21);
    expect(new Set(sink.messageIds()).size).toBe(21);
    for (const agent of agents) {
      const theirs = sink.received.filter((mail) => mail.rcptTo.includes(agent.email));
      expect(theirs.map((mail) => mail.parsed.subject)).toEqual(['[Org acme] Your signature key is active']);
    }
    expect(await app.queue.counts()).toMatchObject({ failed: 0, waiting: 0, delayed: 0, active: 0 });
    // Its append-only file kept the checkpoint: the store is not taken for one that lost its data.
    expect(errors.map(String).filter((error) => error.includes('lost its data while the notifier ran'))).toEqual([]);
  });

  it('Redis loses its data while the notifier runs (flushed, or restarted without its append-only file): the emails queued then are still delivered', async () => {
    const app = start({ REDIS_URL: redis.url });
    sink.refusing = true;
    const { log, sam, agents } = await org('umbrella');
    for (const agent of agents.slice(0, 3)) await log.approve(agent, await log.request(agent), 'APPROVAL', sam);
    const head = await events.headPosition();
    await waitFor('the notifier to reach the head', () => app.notifierCheckpoint === head);
    // 7 jobs queued (Sam's first key; per agent a request waiting and an approval), none sent yet.
    await waitFor('refusals', () => sink.refusals >= 7);
    const flushed = new IORedis(redis.url);
    await flushed.flushall();
    flushed.disconnect();

    // The next event the notifier handles meets the store without the checkpoint it saved.
    await log.request(agents[3]);
    sink.refusing = false;
    const mailed = (): string[] => [...new Set(sink.received.map((mail) => `${mail.rcptTo.join()} ${mail.parsed.subject}`))].sort();
    await waitFor('every email, each at least once', () => mailed().length === 8);
    expect(mailed()).toEqual(
      [
        ...agents.slice(0, 3).flatMap((agent) => [`sam@umbrella.example [Org umbrella] ${agent.displayName} asks for a signature key: your approval is needed`, `${agent.email} [Org umbrella] Your signature key is active`]),
        `sam@umbrella.example [Org umbrella] ${agents[3].displayName} asks for a signature key: your approval is needed`,
        'sam@umbrella.example [Org umbrella] Your signature key is active',
      ].sort(),
    );
    expect(errors.map(String)).toContain(
      "Error: email notifier: the queue's store lost its data while the notifier ran (its checkpoint is gone); replanning from the start of the log, events older than EMAIL_KEEP_COMPLETED_HOURS not mailed again",
    );
  });

  it('a worker process: /health/ready fails while Redis is down and /health/live does not; /metrics shows the queue', async () => {
    const port = await freePort();
    const worker = await WorkerProcess.start({
      DATA_DIR: dir,
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      EMAIL_FROM: 'ztkeys <keys@acme.example>',
      EMAIL_QUEUE: `probes-${Date.now()}`,
      EMAIL_WORKER_METRICS_PORT: String(port),
    });
    const get = async (path: string): Promise<{ status: number; body: string }> => {
      const { status, body } = await worker.probe(path);
      return { status, body };
    };
    try {
      await waitFor('the worker to be ready', async () => (await get('/health/ready')).status === 200);
      expect((await get('/metrics')).body).toMatch(/ztkeys_email_queue_jobs\{state="waiting"\} 0/);
      await redis.stop();
      try {
        expect(await get('/health/ready')).toEqual({ status: 503, body: '{"status":"error","queue":"down"}' });
        expect((await get('/health/live')).status).toBe(200);
      } finally {
        await redis.resume();
      }
      await waitFor('readiness to come back', async () => (await get('/health/ready')).status === 200);
      worker.signal('SIGTERM');
      expect(await worker.exitWithin(15_000)).toEqual({ code: 0, signal: null });
    } finally {
      await worker.stop();
    }
  });

  it('a worker process stops on SIGTERM (exit code 0) while Redis answers it but its connection that waits for jobs is between two reconnects', async () => {
    const worker = await WorkerProcess.start({ DATA_DIR: dir, REDIS_URL: redis.url, SMTP_URL: sink.url, EMAIL_FROM: 'ztkeys <keys@acme.example>', EMAIL_QUEUE: `reconnecting-${Date.now()}` });
    const admin = new IORedis(redis.url);
    try {
      // Its connection blocked in BZPOPMIN is cut, and Redis, at its maxclients, refuses it again and again (ioredis
      // waits longer between attempts each time): Redis stopped and started again leaves it so a moment, as CI saw.
      const clients = async (): Promise<string[]> => String(await admin.client('LIST')).trim().split('\n');
      const waiting = await waitFor('the worker to wait for jobs', async () => /^id=(\d+) .*cmd=bzpopmin/m.exec((await clients()).join('\n'))?.[1]);
      const refused = async (): Promise<number> => Number(/rejected_connections:(\d+)/.exec(await admin.info('stats'))?.[1]);
      const refusedBefore = await refused();
      await admin.config('SET', 'maxclients', String((await clients()).length - 1));
      await admin.client('KILL', 'ID', waiting);
      await waitFor('its reconnects to be refused', async () => (await refused()) >= refusedBefore + 5);

      worker.signal('SIGTERM');
      expect(await worker.exitWithin(15_000)).toEqual({ code: 0, signal: null });
    } finally {
      await admin.config('SET', 'maxclients', '10000');
      admin.disconnect();
      await worker.stop();
    }
  });

  describe.each([
    { queue: 'BullMQ', env: (): Record<string, string> => ({ REDIS_URL: redis.url }) },
    { queue: 'SQLite', env: (): Record<string, string> => ({}) },
  ])('on the $queue queue', ({ env }) => {
    it('a new or emptied store (Redis flushed or restarted without its file, email.sqlite lost, or moving to Redis) under a month of history: only events within EMAIL_KEEP_COMPLETED_HOURS are mailed again', async () => {
      // A month ago: Sam's first key, Ada's request and approval, Max's request (5 emails then).
      const log = new OrgLog(events, 'initech');
      const monthAgo = Date.now() - 30 * 24 * 3600 * 1000;
      log.now = () => new Date(monthAgo);
      const { sam, max, request } = await log.pendingMemberRequest('Initech');
      // An hour ago, within the 168 hours the queue remembers sent jobs: Max's request approved.
      log.now = () => new Date(Date.now() - 3600 * 1000);
      await log.approve(max, request, 'APPROVAL', sam);
      log.now = () => new Date();

      const app = start(env());
      await waitFor('the approval email', () => sink.received.some((mail) => mail.rcptTo.includes(max.email)));
      // After the start: Max's new key request mails Sam and Ada.
      await log.request(max);
      const head = await events.headPosition();
      await waitFor('the notifier to reach the head', () => app.notifierCheckpoint === head);
      await waitFor('every queued job done', async () => {
        const { waiting, delayed, active } = await app.queue.counts();
        return waiting + delayed + active === 0;
      });
      expect(sink.received.map((mail) => `${mail.rcptTo.join()} ${mail.parsed.subject}`).sort()).toEqual([
        'ada@initech.example [Initech] Max asks for a signature key: your approval is needed',
        'max@initech.example [Initech] Your signature key is active',
        'sam@initech.example [Initech] Max asks for a signature key: your approval is needed',
      ]);
      expect(errors.map(String)).toContain(
        'Error: email notifier: no checkpoint in the queue\'s store while the log holds events (a new store, or one that lost its data); replanning from the start of the log, events older than EMAIL_KEEP_COMPLETED_HOURS not mailed again',
      );
    });

    it('SMTP refusing for a while: jobs retry with backoff, then deliver, each once', async () => {
      const registry = new Registry();
      const app = start(env(), registry);
      sink.refusing = true;
      const { log, sam, agents } = await org('globex');
      for (const agent of agents.slice(0, 4)) await log.approve(agent, await log.request(agent), 'APPROVAL', sam);
      // 9 jobs: Sam's first key, and per agent a request waiting (to Sam) and an approval. Refused again and again:
      await waitFor('repeated refusals', () => sink.refusals >= 18);
      expect((await app.queue.counts()).completed).toBe(0);
      expect(await registry.metrics()).toMatch(/ztkeys_email_attempt_failures_total\{kind="KEY_APPROVED"\} [1-9]/);

      sink.refusing = false;
      await waitFor('9 completed jobs', async () => (await app.queue.counts()).completed >= 9);
      expect(sink.received).toHaveLength(9);
      expect(new Set(sink.messageIds()).size).toBe(9);
      expect(await app.queue.counts()).toMatchObject({ failed: 0, waiting: 0, delayed: 0 });
    });
  });
});
