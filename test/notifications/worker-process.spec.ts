import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notificationsConfig } from '../../src/notifications/notifications.config';
import { openEmailBackend, type EmailBackend } from '../../src/notifications/email-backend';
import type { EmailJob } from '../../src/notifications/email-job';
import { approvalJob } from './support/email-jobs';
import { freePort } from './support/redis-process';
import { SmtpSink } from './support/smtp-sink';
import { WorkerProcess } from './support/worker-process';
import { gate, waitFor } from './support/wait-for';

const SHARED_REDIS = 'redis://127.0.0.1:6379';

describe.each([
  { queue: 'BullMQ', env: (): Record<string, string> => ({ REDIS_URL: SHARED_REDIS, EMAIL_QUEUE: `ztkeys-test-${randomUUID()}` }) },
  { queue: 'SQLite', env: (): Record<string, string> => ({}) },
])('`npm run worker` processes on the $queue queue', ({ env: queueEnv }) => {
  let dir: string;
  let sink: SmtpSink;
  let env: Record<string, string>;
  let backend: EmailBackend;
  let workers: WorkerProcess[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-worker-'));
    sink = await SmtpSink.start();
    env = {
      ...queueEnv(),
      DATA_DIR: dir,
      SMTP_URL: sink.url,
      EMAIL_FROM: 'ztkeys <keys@acme.example>',
      EMAIL_LOCK_MS: '1500',
      EMAIL_BACKOFF_MS: '100',
      EMAIL_ATTEMPTS: '5',
      EMAIL_WORKER_CONCURRENCY: '2',
    };
    backend = openEmailBackend(notificationsConfig(env));
    workers = [];
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await backend.close();
    await sink.stop();
    if (env.REDIS_URL) {
      const bull = new Queue(env.EMAIL_QUEUE, { connection: { url: env.REDIS_URL } });
      await bull.obliterate({ force: true });
      await bull.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = async (extra: Record<string, string> = {}): Promise<WorkerProcess> => {
    const worker = await WorkerProcess.start({ ...env, ...extra });
    workers.push(worker);
    return worker;
  };

  it('a worker killed (SIGKILL) in the middle of a job: another delivers it again, with the same Message-ID', async () => {
    const held = gate();
    sink.holdReply = held.promise;
    const job = approvalJob();
    await backend.queue.add([job]);
    const doomed = await startWorker();
    // The server has the message; its reply is held, so the worker is inside the job.
    await waitFor('the first delivery attempt', () => sink.received.length === 1);
    doomed.signal('SIGKILL');
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    sink.holdReply = undefined;
    held.open();

    await startWorker();
    await waitFor('the job to complete', async () => (await backend.queue.counts()).completed === 1);
    expect(sink.received.map((mail) => mail.rcptTo)).toEqual([[job.to.email], [job.to.email]]);
    const [first, again] = sink.messageIds();
    expect(again).toBe(first);
    expect(first).toBe(`<${job.eventId}.${Buffer.from(job.to.agentId).toString('base64url')}@acme.example>`);
    expect(await backend.queue.counts()).toMatchObject({ failed: 0, active: 0, waiting: 0, delayed: 0 });
  });

  it('a job whose workers are killed until none is left to try: given up once, counted in ztkeys_emails_given_up_total{reason="worker_lost"}', async () => {
    env.EMAIL_ATTEMPTS = '1';
    await backend.close();
    backend = openEmailBackend(notificationsConfig(env));
    sink.holdReply = gate().promise;
    const job = approvalJob();
    await backend.queue.add([job]);
    // Each start is an attempt, on either queue: a worker lost during the only one gives the job up.
    const doomed = await startWorker();
    // Inside the job: the server has the message, its reply is held.
    await waitFor('the delivery attempt', () => sink.received.length === 1);
    doomed.signal('SIGKILL');
    await doomed.exited;

    // Two workers find it: one gives it up, and only that one counts it.
    const ports = [await freePort(), await freePort()];
    const survivors = await Promise.all(ports.map((port) => startWorker({ EMAIL_WORKER_METRICS_PORT: String(port) })));
    await waitFor('the job to be given up', async () => (await backend.queue.counts()).failed === 1);
    const givenUp = async (port: number): Promise<Record<string, number>> => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Object.fromEntries([...text.matchAll(/^ztkeys_emails_given_up_total\{kind="(\w+)",reason="(\w+)"\} (\d+)$/gm)].map(([, kind, reason, n]) => [`${kind} ${reason}`, Number(n)]));
    };
    // The worker tells of it just after the queue's store says failed: wait for that, then count exactly.
    await waitFor('a worker to count it', async () => (await Promise.all(ports.map(givenUp))).some((counts) => counts['KEY_APPROVED worker_lost'] > 0));
    const counted = await Promise.all(ports.map(givenUp));
    expect(counted.map((counts) => counts['KEY_APPROVED worker_lost']).sort()).toEqual([0, 1]);
    // Exported at 0 from the start, as the other reasons: the alert's increase() sees the first one.
    expect(counted.map((counts) => counts['KEY_REJECTED worker_lost'])).toEqual([0, 0]);
    for (const counts of counted) expect(counts).toMatchObject({ 'KEY_APPROVED refused': 0, 'KEY_APPROVED attempts': 0 });
    expect(sink.received).toHaveLength(1);
    expect((await backend.queue.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job })]);
    // Logged as an error by the worker that counted it: no failed attempt told of it.
    const logged = (): Array<Record<string, unknown>> =>
      survivors.flatMap((worker) =>
        worker.output
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => line.jobId === job.id),
      );
    await waitFor('the error line', () => logged().length > 0);
    expect(logged()).toEqual([
      expect.objectContaining({ level: 50, kind: 'KEY_APPROVED', msg: 'email job given up: the workers running it died until it had no try left; the job is kept in the failed jobs' }),
    ]);
  });

  it('SIGTERM: the worker finishes its running job, then exits cleanly', async () => {
    const held = gate();
    sink.holdReply = held.promise;
    await backend.queue.add([approvalJob()]);
    const worker = await startWorker();
    await waitFor('the delivery to start', () => sink.received.length === 1);
    worker.signal('SIGTERM');
    await waitFor('the worker to start stopping', () => worker.output.includes('email worker stopping'));
    held.open();
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    // Finished, not abandoned: completed, and sent once.
    expect(await backend.queue.counts()).toMatchObject({ completed: 1, active: 0, waiting: 0 });
    expect(sink.received).toHaveLength(1);
    expect(worker.output).toContain('email worker stopped');
  });

  it('an email the SMTP server refuses for good (550): logged with the answer and kept in the failed jobs at once, with no further attempt', async () => {
    sink.refusing = true;
    sink.refusal = { code: 550, text: 'no such mailbox' };
    const job = approvalJob();
    await backend.queue.add([job]);
    const worker = await startWorker();
    const lines = () =>
      worker.output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, any>)
        .filter((line) => line.jobId === job.id);
    await waitFor('the job to be kept as failed', async () => (await backend.queue.counts()).failed === 1);
    await waitFor('the failed attempt logged', () => lines().length === 1);
    expect(sink.refusals).toBe(1);
    expect(lines().map(({ level, attempt, attempts, msg }) => ({ level, attempt, attempts, msg }))).toEqual([
      { level: 50, attempt: 1, attempts: 5, msg: 'email attempt 1 of 5 refused for good by the SMTP server; it will not be retried: the job is kept in the failed jobs' },
    ]);
    expect(lines()[0]).toMatchObject({ kind: 'KEY_APPROVED', err: { responseCode: 550, command: 'RCPT TO' } });
    expect(lines()[0].err.message).toContain('no such mailbox');
    expect((await backend.queue.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job, attempts: 1, error: expect.stringContaining('550 no such mailbox') })]);
  });

  it('jobs of kinds a newer release queued (a rolling upgrade): handed back, one warn line per kind, the later hand-backs of a kind debug lines, each counted', async () => {
    const newer = (n: number, kind: string): EmailJob => ({ ...approvalJob(n), kind }) as unknown as EmailJob;
    const jobs = [newer(1, 'KIND_OF_A_NEWER_RELEASE'), newer(2, 'KIND_OF_A_NEWER_RELEASE'), newer(3, 'KIND_OF_A_NEWER_RELEASE'), newer(4, 'ANOTHER_KIND_OF_A_NEWER_RELEASE')];
    await backend.queue.add(jobs);
    const port = await freePort();
    const worker = await startWorker({ LOG_LEVEL: 'debug', EMAIL_WORKER_METRICS_PORT: String(port) });
    const ids = new Set(jobs.map((job) => job.id));
    const handedBack = (): Array<Record<string, any>> =>
      worker.output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, any>)
        .filter((line) => ids.has(line.jobId) && /written by a newer ztkeys release/.test(line.msg));
    await waitFor('each job handed back', () => new Set(handedBack().map((line) => line.jobId)).size === jobs.length);
    // In the order logged: a kind's first hand-back warns (40), its later ones are debug lines (20), whatever job they are.
    const levelsByKind = (kind: string): number[] => handedBack().filter((line) => line.kind === kind).map((line) => line.level);
    expect(levelsByKind('KIND_OF_A_NEWER_RELEASE')).toEqual([40, 20, 20]);
    expect(levelsByKind('ANOTHER_KIND_OF_A_NEWER_RELEASE')).toEqual([40]);
    expect(handedBack().filter((line) => line.level === 40).map((line) => line.msg)).toEqual([
      expect.stringMatching(/^email job of a kind written by a newer ztkeys release: handed back to the queue for 30 s, no attempt spent/),
      expect.stringMatching(/^email job of a kind written by a newer ztkeys release: handed back to the queue for 30 s, no attempt spent/),
    ]);
    // Every hand-back counted, the quiet ones too; nothing sent, none failed.
    const metrics = await worker.probe('/metrics');
    expect(metrics.body).toMatch(/^ztkeys_email_jobs_for_newer_release_total 4$/m);
    expect(sink.received).toEqual([]);
    expect(await backend.queue.counts()).toMatchObject({ failed: 0, completed: 0, active: 0 });
  });

  it('several workers share the queue: every email is sent once', async () => {
    const jobs = Array.from({ length: 20 }, (_, i) => approvalJob(i));
    await Promise.all([startWorker(), startWorker()]);
    await backend.queue.add(jobs);
    await waitFor('20 completed jobs', async () => (await backend.queue.counts()).completed === 20);
    expect(sink.messageIds()).toHaveLength(20);
    expect(new Set(sink.messageIds()).size).toBe(20);
  });
});
