import { Queue } from 'bullmq';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { loadConfig } from '../../src/config/app-config';
import { redisKeys } from '../../src/config/redis-keys';
import { deploymentIdentity } from '../../src/deployment/deployment-identity';
import { openEmailBackend, type EmailBackend } from '../../src/notifications/email-backend';
import { notificationsConfig } from '../../src/notifications/notifications.config';
import { PermanentJobFailure } from '../../src/notifications/queue/email-queue.port';
import { loadLogKey } from '../../src/transparency/log-key';
import { approvalJob } from './support/email-jobs';
import { freePort } from './support/redis-process';
import { SmtpSink } from './support/smtp-sink';
import { waitFor } from './support/wait-for';
import { shownCommand, WatchedChild } from '../support/watched-child';
import { WorkerProcess } from './support/worker-process';

const ROOT = join(__dirname, '..', '..');
const SHARED_REDIS = 'redis://127.0.0.1:6379';

/** `npm run emails -- ...` as a child process (the build, as npm runs it), with the deployment's environment. */
async function emailsTool(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = [process.execPath, join(ROOT, 'dist', 'src', 'notifications', 'failed-emails.main.js'), ...args];
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const { code } = await new WatchedChild(child, shownCommand(command)).endWithin(20_000);
  return { code, stdout, stderr };
}

/**
 * The operator's side of failed emails: a worker sends against a real SMTP server that refuses
 * them for good (a wrong EMAIL_FROM fails them all at once), the operator lists them with
 * `npm run emails -- failed`, fixes the cause and sends them again with `npm run emails -- retry`,
 * while the worker runs and shares the queue's store.
 */
describe.each([
  {
    queue: 'BullMQ',
    env: (): Record<string, string> => ({ REDIS_URL: SHARED_REDIS, REDIS_KEY_PREFIX: `ztkeys-test-${randomUUID().slice(0, 8)}`, EMAIL_QUEUE: `ztkeys-test-${randomUUID()}` }),
  },
  { queue: 'SQLite', env: (): Record<string, string> => ({}) },
])('failed emails on the $queue queue: `npm run emails`', ({ env: queueEnv }) => {
  let dir: string;
  let sink: SmtpSink;
  let env: Record<string, string>;
  let backend: EmailBackend;
  let worker: WorkerProcess | undefined;
  let metricsPort: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-failed-emails-'));
    sink = await SmtpSink.start();
    metricsPort = await freePort();
    env = {
      ...queueEnv(),
      DATA_DIR: dir,
      SMTP_URL: sink.url,
      EMAIL_FROM: 'ztkeys <keys@acme.example>',
      EMAIL_BACKOFF_MS: '100',
      EMAIL_ATTEMPTS: '3',
      EMAIL_WORKER_METRICS_PORT: String(metricsPort),
    };
    backend = openEmailBackend(notificationsConfig(env));
  });
  afterEach(async () => {
    await worker?.stop();
    await backend.close();
    await sink.stop();
    if (env.REDIS_URL) {
      const bull = new Queue(env.EMAIL_QUEUE, { connection: { url: env.REDIS_URL }, prefix: redisKeys(env.REDIS_KEY_PREFIX).bullmq });
      await bull.obliterate({ force: true });
      await bull.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const queueJobs = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return Object.fromEntries([...text.matchAll(/^ztkeys_email_queue_jobs\{state="(\w+)"\} (\d+)$/gm)].map(([, state, n]) => [state, Number(n)]));
  };

  const givenUp = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return Object.fromEntries([...text.matchAll(/^ztkeys_emails_given_up_total\{kind="(\w+)",reason="(\w+)"\} (\d+)$/gm)].map(([, kind, reason, n]) => [`${kind} ${reason}`, Number(n)]));
  };

  it('counts each job given up, even one given up while another is retried between two scrapes (the failed count stays)', async () => {
    const [refused, deferred] = [approvalJob(1), approvalJob(2)];
    sink.refusedRecipients.set(refused.to.email, { code: 550, text: 'no such mailbox' });
    await backend.queue.add([refused]);
    worker = await WorkerProcess.start(env);
    await waitFor('the refused job to be kept as failed', async () => (await backend.queue.counts()).failed === 1);
    expect({ jobs: await queueJobs(), givenUp: await givenUp() }).toMatchObject({
      jobs: { failed: 1 },
      // Every kind and reason from 0: Prometheus's increase() sees no rise in a series born at 1.
      givenUp: { 'KEY_APPROVED refused': 1, 'KEY_APPROVED attempts': 0, 'RECOVERY_LAPSED refused': 0 },
    });

    // Within one scrape interval: the operator retries the refused job (now accepted), another runs out of its 3 attempts.
    sink.refusedRecipients.delete(refused.to.email);
    sink.refusedRecipients.set(deferred.to.email, { code: 451, text: 'mailbox busy, try again later' });
    await backend.queue.add([deferred]);
    expect(await emailsTool(env, ['retry', refused.id])).toMatchObject({ code: 0 });
    await waitFor('the retried job delivered, the other given up', async () => {
      const counts = await backend.queue.counts();
      return counts.completed === 1 && counts.failed === 1;
    });
    expect(sink.received.map((mail) => mail.rcptTo)).toEqual([[refused.to.email]]);
    // What the failed gauge shows is what it showed before: no trace of the new failure there.
    expect(await queueJobs()).toMatchObject({ failed: 1, completed: 1 });
    expect(await givenUp()).toMatchObject({ 'KEY_APPROVED refused': 1, 'KEY_APPROVED attempts': 1, 'KEY_REJECTED attempts': 0 });
  });

  it('lists the emails refused for good with the SMTP answer, refuses a retry of what is not failed, and sends each retried email once', async () => {
    sink.refusing = true;
    sink.refusal = { code: 550, text: '5.7.1 sender address rejected: keys@acme.example not owned by user' };
    const [first, second] = [approvalJob(1), approvalJob(2)];
    await backend.queue.add([first, second]);
    worker = await WorkerProcess.start(env);
    await waitFor('both jobs to be kept as failed', async () => (await backend.queue.counts()).failed === 2);
    expect(sink.refusals).toBe(2);
    expect(await queueJobs()).toMatchObject({ failed: 2, completed: 0 });

    // Both read only: run at once.
    const [listed, json] = await Promise.all([emailsTool(env, ['failed']), emailsTool(env, ['failed', '--json'])]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    for (const job of [first, second]) {
      expect(listed.stdout).toContain(job.id);
      expect(listed.stdout).toContain(`Agent ${job.to.agentId.slice(-1)} <${job.to.email}>`);
    }
    expect(listed.stdout).toContain('KEY_APPROVED');
    expect(listed.stdout).toContain('550 5.7.1 sender address rejected');

    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as { jobs: Array<Record<string, unknown>>; next?: string };
    expect(page.next).toBeUndefined();
    expect(page.jobs.map((job) => job.id).sort()).toEqual([first.id, second.id].sort());
    expect(page.jobs.find((job) => job.id === first.id)).toEqual({
      id: first.id,
      kind: 'KEY_APPROVED',
      to: first.to,
      eventId: first.eventId,
      orgId: 'acme',
      attempts: 1,
      error: expect.stringContaining('550 5.7.1 sender address rejected'),
      failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    // Refused, and nothing retried: an id the queue does not hold, beside a failed one.
    const unknown = await emailsTool(env, ['retry', first.id, 'no-such-job']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no-such-job');
    expect(unknown.stderr).toContain('nothing was retried');
    expect(await backend.queue.counts()).toMatchObject({ failed: 2, waiting: 0 });

    // The operator fixed the cause (EMAIL_FROM): the retried email goes out once.
    sink.refusing = false;
    const retried = await emailsTool(env, ['retry', first.id]);
    expect(retried).toMatchObject({ code: 0, stderr: '' });
    expect(retried.stdout).toContain('retried 1 failed email job');
    await waitFor('the retried job to complete', async () => (await backend.queue.counts()).completed === 1);
    expect(sink.received.map((mail) => mail.rcptTo)).toEqual([[first.to.email]]);
    expect(await backend.queue.counts()).toMatchObject({ failed: 1, completed: 1, waiting: 0, active: 0 });
    expect(await queueJobs()).toMatchObject({ failed: 1, completed: 1 });

    // A job that is not failed (any more) is not retried: it would be sent twice.
    const again = await emailsTool(env, ['retry', first.id]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`${first.id} is completed`);

    const all = await emailsTool(env, ['retry', '--all']);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout).toContain('retried 1 failed email job');
    await waitFor('every job to complete', async () => (await backend.queue.counts()).completed === 2);
    expect(sink.received.map((mail) => mail.rcptTo).sort()).toEqual([[first.to.email], [second.to.email]]);
    expect(await queueJobs()).toMatchObject({ failed: 0, completed: 2 });
    expect(await emailsTool(env, ['failed'])).toMatchObject({ code: 0, stdout: 'no failed email jobs\n' });
  });

  it('discards failed emails for good, each logged; refuses a discard of what is not failed, discarding none', async () => {
    const [first, second, sent] = [approvalJob(1), approvalJob(2), approvalJob(3)];
    for (const job of [first, second]) sink.refusedRecipients.set(job.to.email, { code: 550, text: 'no such mailbox' });
    await backend.queue.add([first, second, sent]);
    worker = await WorkerProcess.start(env);
    await waitFor('2 jobs kept as failed, 1 sent', async () => {
      const counts = await backend.queue.counts();
      return counts.failed === 2 && counts.completed === 1;
    });
    expect(await queueJobs()).toMatchObject({ failed: 2 });
    const logged = (stderr: string): unknown[] => stderr.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));

    // Two discards that change nothing, run at once. The queue unreadable: a DATA_DIR without the queue, or a Redis that does not answer.
    const nowhere = { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'ztkeys-no-queue-')), ...(env.REDIS_URL ? { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } : {}) };
    // Refused, and nothing discarded: a sent job and an id the queue does not hold, beside a failed one.
    const [refused, unreadable] = await Promise.all([emailsTool(env, ['discard', first.id, sent.id, 'no-such-job']), emailsTool(nowhere, ['discard', '--all'])]);
    rmSync(nowhere.DATA_DIR, { recursive: true, force: true });
    expect(refused).toMatchObject({ code: 3, stdout: '' });
    expect(refused.stderr).toContain(`${sent.id} is completed, no-such-job is not in the queue; nothing was discarded`);
    expect(unreadable).toMatchObject({ code: 1 });
    expect(await backend.queue.counts()).toMatchObject({ failed: 2, completed: 1 });

    const discarded = await emailsTool(env, ['discard', first.id]);
    expect(discarded).toMatchObject({ code: 0, stdout: `discarded 1 failed email job(s): they will not be sent\n  ${first.id}\n` });
    expect(logged(discarded.stderr)).toEqual([
      expect.objectContaining({ level: 30, jobId: first.id, kind: 'KEY_APPROVED', msg: 'failed email job discarded by an operator: it will not be sent' }),
    ]);
    expect(await queueJobs()).toMatchObject({ failed: 1, completed: 1 });
    expect(await emailsTool(env, ['discard', first.id])).toMatchObject({ code: 3, stderr: expect.stringContaining(`${first.id} is not in the queue`) });

    const all = await emailsTool(env, ['discard', '--all', '--json']);
    expect(all).toMatchObject({ code: 0 });
    expect(JSON.parse(all.stdout)).toEqual({ discarded: [second.id] });
    expect(logged(all.stderr)).toEqual([expect.objectContaining({ level: 30, jobId: second.id, kind: 'KEY_APPROVED' })]);
    expect(await queueJobs()).toMatchObject({ failed: 0, completed: 1 });
    // Nothing failed is left: listed and discarded at once, both finding none.
    const [none, noneDiscarded] = await Promise.all([emailsTool(env, ['failed']), emailsTool(env, ['discard', '--all'])]);
    expect(none).toMatchObject({ code: 0, stdout: 'no failed email jobs\n' });
    expect(noneDiscarded).toMatchObject({ code: 0, stdout: 'no failed email jobs to discard\n', stderr: '' });
    // Never sent: the worker got neither back.
    expect(sink.received.map((mail) => mail.rcptTo)).toEqual([[sent.to.email]]);
  });
});

/**
 * Bad arguments are refused before any queue is opened, so once proves it for both backends: here
 * with no queue at all (a DATA_DIR without email.sqlite, no REDIS_URL), which would be exit 1 had
 * the tool looked for one.
 */
describe('`npm run emails` with bad arguments', () => {
  it('refuses a retry or discard naming no job, an empty one, or jobs beside --all, with its usage (exit 2), before looking for the queue', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-no-queue-'));
    try {
      // An empty id (`npm run emails -- retry "$ID"` when the script's jq found none) was exit 3, "and  is not in the queue".
      // Each run refused before it reads anything: all at once.
      const runs = [['retry'], ['discard'], ['discard', '--all', approvalJob(1).id], ['retry', ''], ['discard', approvalJob(1).id, ' ']];
      const results = await Promise.all(runs.map(async (args) => ({ args, ...(await emailsTool({ DATA_DIR: dataDir, REDIS_URL: '' }, args)) })));
      for (const [i, args] of runs.entries()) {
        expect(results[i]).toMatchObject({ args, code: 2, stdout: '', stderr: expect.stringContaining('usage: npm run emails --') });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * `npm run emails` run with a deployment's log key (its DATA_DIR) acts on a BullMQ queue only if
 * `{REDIS_KEY_PREFIX}:deployment` names that deployment: it reads the claim, never makes it.
 */
describe('`npm run emails` on a REDIS_KEY_PREFIX of another deployment', () => {
  const prefix = `ztkeys-test-${randomUUID().slice(0, 8)}`;
  const key = redisKeys(prefix).deployment;
  const dirs: string[] = [];
  let redis: IORedis;
  let backend: EmailBackend;
  let env: Record<string, string>;
  /** A deployment's DATA_DIR, with its log key; returns its identity. */
  const deployment = (): { dataDir: string; identity: string } => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-deployment-'));
    dirs.push(dataDir);
    return { dataDir, identity: deploymentIdentity(loadLogKey(loadConfig({ DATA_DIR: dataDir }))) };
  };

  beforeAll(async () => {
    redis = new IORedis(SHARED_REDIS);
    env = { REDIS_URL: SHARED_REDIS, REDIS_KEY_PREFIX: prefix, EMAIL_QUEUE: `ztkeys-test-${randomUUID()}` };
    backend = openEmailBackend(notificationsConfig(env));
    // One failed job, refused for good, to be listed, retried or discarded.
    await backend.queue.add([approvalJob()]);
    const worker = backend.queue.process(
      async () => {
        throw new PermanentJobFailure(new Error('550 no such mailbox'));
      },
      { concurrency: 1 },
    );
    await waitFor('the job to fail', async () => (await backend.queue.counts()).failed === 1);
    await worker.close();
  });
  afterAll(async () => {
    await backend.close();
    const bull = new Queue(env.EMAIL_QUEUE, { connection: { url: SHARED_REDIS }, prefix: redisKeys(prefix).bullmq });
    await bull.obliterate({ force: true });
    await bull.close();
    await redis.del(key);
    redis.disconnect();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses (exit 1) to list, retry or discard before anything when the prefix is another deployment\'s or none\'s, and never claims it', async () => {
    const ours = deployment();
    const theirs = deployment();
    const as = { ...env, DATA_DIR: ours.dataDir };

    // No deployment started on the prefix: a mistyped REDIS_KEY_PREFIX, nothing to act on.
    // Each refused before anything: run at once.
    const unclaimed = await Promise.all([['failed'], ['discard', '--all']].map((args) => emailsTool(as, args)));
    for (const refused of unclaimed) {
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toContain(`REDIS_KEY_PREFIX ${prefix} is held by no deployment`);
    }
    expect(await redis.get(key)).toBeNull();

    await redis.set(key, theirs.identity);
    const another = await Promise.all([['failed'], ['retry', '--all'], ['discard', '--all']].map((args) => emailsTool(as, args)));
    for (const refused of another) {
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toContain(`REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment (log key ${theirs.identity}), not this one (log key ${ours.identity})`);
    }
    expect(await redis.get(key)).toBe(theirs.identity);
    expect(await backend.queue.counts()).toMatchObject({ failed: 1, waiting: 0 });

    // Its own deployment's prefix: acted on.
    await redis.set(key, ours.identity);
    const listed = await emailsTool(as, ['failed', '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { jobs: unknown[] }).jobs).toHaveLength(1);
    expect(await emailsTool(as, ['discard', '--all'])).toMatchObject({ code: 0 });
    expect(await backend.queue.counts()).toMatchObject({ failed: 0 });
  });
});
