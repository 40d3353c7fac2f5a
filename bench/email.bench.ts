import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { renderEmail } from '../src/notifications/email-content';
import { emailJobId, type EmailJob } from '../src/notifications/email-job';
import { toMailOptions } from '../src/notifications/mail/mail-options';
import { notificationsConfig } from '../src/notifications/notifications.config';
import { redisKeys } from '../src/config/redis-keys';
import { BullmqEmailQueue } from '../src/notifications/queue/bullmq-email-queue';
import type { Bench, BenchRow } from './bench-row';
import { median, spread } from './support/median';
import { processTreeCpuMicros } from './support/process-cpu';
import { blastSmtp, wireMessage } from './support/smtp-blast';

const REDIS_URL = 'redis://127.0.0.1:6379';
const FROM = 'ztkeys <no-reply@bench.example>';
const WORKER_MAIN = join(__dirname, '..', 'src', 'notifications', 'worker.main.js');
const SINK_MAIN = join(__dirname, 'support', 'smtp-sink.main.js');
/** BENCH_EMAILS shortens the runs while developing. */
const EMAILS = Number(process.env.BENCH_EMAILS ?? 3_000);
const WORKER_COUNTS = (process.env.BENCH_EMAIL_WORKERS ?? '1,2,4').split(',').map(Number);
/**
 * Rounds of the whole comparison (each worker count beside its ceiling), one after the other; a
 * figure is the median of its rounds. A run of 3,000 emails takes 2-4 s, and one such run moved by
 * up to 40% between two runs of the bench on a quiet machine (docs/benchmarks-journal.md).
 */
const ROUNDS = Number(process.env.BENCH_EMAIL_ROUNDS ?? 3);
/** Emails each sender process sends before it is timed. */
const WARM_UP_EMAILS = Number(process.env.BENCH_EMAIL_WARM_UP ?? 2_500);
/** The raw client's pipelining depth per connection. */
const BLAST_WINDOW = 16;

const now = (): number => performance.timeOrigin + performance.now();

const approval = (n: number): EmailJob => {
  const eventId = randomUUID();
  const to = { agentId: `agent-${n}`, displayName: `Agent ${n}`, email: `agent-${n}@bench.example` };
  return {
    id: emailJobId(eventId, to.agentId),
    eventId,
    occurredAt: new Date().toISOString(),
    org: { orgId: 'bench', name: 'Bench Org' },
    to,
    request: { requestId: randomUUID(), requester: to, fingerprint: 'ab'.repeat(32) },
    kind: 'KEY_APPROVED',
    mode: 'APPROVAL',
    approvedBy: { agentId: 'boss', displayName: 'Bea Boss' },
  };
};

/** The SMTP sink in its own process (bench/support/smtp-sink.main.ts). */
class Sink {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<Sink> {
    const child = fork(SINK_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`SMTP sink exited (${code}) before it listened`)));
    });
    return new Sink(child, port);
  }

  /** The sink process's CPU so far, µs. */
  cpu(): number {
    return processTreeCpuMicros(this.child.pid!);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Emails per second: `send` starts the clock; it stops when the sink accepts the `count`-th message. */
  async rate(count: number, send: () => Promise<unknown>): Promise<number> {
    const last = new Promise<number>((resolve) => {
      const listener = (message: { accepted?: number; at?: number }): void => {
        if (message.accepted !== count) return;
        this.child.off('message', listener);
        resolve(message.at!);
      };
      this.child.on('message', listener);
    });
    this.child.send({ expect: count });
    const started = now();
    const [, at] = await Promise.all([send(), last]);
    return Math.round(count / ((at - started) / 1000));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

/** The built message of each job, as nodemailer writes it: what the raw client blasts. */
const built = (jobs: readonly EmailJob[]): Promise<Buffer[]> =>
  Promise.all(jobs.map((job) => new MailComposer(toMailOptions(renderEmail(job, FROM, new Date()))).compile().build()));

/** Emails per second, and the CPU per email (µs, user + system) of the sender and of the sink. */
interface Measured {
  rate: number;
  cpuPerEmail: number;
  sinkCpuPerEmail: number;
}

/** The ceiling: a bare pooled nodemailer transport in this process, every message handed to it at once, no queue. */
async function barePooledNodemailer(sink: Sink, jobs: readonly EmailJob[], pool: { maxConnections: number; maxMessages: number }): Promise<Measured> {
  const messages = jobs.map((job) => toMailOptions(renderEmail(job, FROM, new Date())));
  const transport = createTransport({ host: '127.0.0.1', port: sink.port, pool: true, ...pool });
  try {
    // Warm, as a long-running sender is: the workers get the same warm-up (WARM_UP_EMAILS each).
    const warmUp = Array.from({ length: WARM_UP_EMAILS }, (_, n) => toMailOptions(renderEmail(approval(n), FROM, new Date())));
    await sink.rate(warmUp.length, () => Promise.all(warmUp.map((message) => transport.sendMail(message))));
    const cpu = process.cpuUsage();
    const sinkCpu = sink.cpu();
    const rate = await sink.rate(messages.length, () => Promise.all(messages.map((message) => transport.sendMail(message))));
    const { user, system } = process.cpuUsage(cpu);
    return {
      rate,
      cpuPerEmail: Math.round((user + system) / messages.length),
      sinkCpuPerEmail: Math.round((sink.cpu() - sinkCpu) / messages.length),
    };
  } finally {
    transport.close();
  }
}

/**
 * Starts `npm run worker` (its settings from this environment, defaults when unset) on the bench's
 * REDIS_KEY_PREFIX, and resolves once it says it is ready: a line at info, whatever LOG_LEVEL this
 * environment has. A worker that reads a log key (the caller's DATA_DIR) claims that prefix: never
 * the caller's own.
 */
function startWorker(prefix: string, queue: string, smtpUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...process.env, LOG_LEVEL: 'info', REDIS_URL, REDIS_KEY_PREFIX: prefix, SMTP_URL: smtpUrl, EMAIL_QUEUE: queue, EMAIL_FROM: FROM },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
      if (output.includes('email worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${output}`)));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Adds jobs as the notifier adds them, one `add` per event, to the paused queue. */
async function enqueuePaused(control: Queue, queue: BullmqEmailQueue, jobs: readonly EmailJob[]): Promise<void> {
  await control.pause();
  for (const job of jobs) await queue.add([job]);
}

/**
 * ztkeys' path: the jobs are added as the notifier adds them (one `add` per event, through the
 * BullMQ adapter) to a paused queue, `workers` worker processes wait on it, and the clock runs
 * from the resume until the sink accepts the last email.
 */
async function throughWorkers(sink: Sink, jobs: readonly EmailJob[], workers: number, prefix: string): Promise<Measured> {
  const name = `ztkeys-bench-${randomUUID()}`;
  const config = notificationsConfig({ REDIS_URL, REDIS_KEY_PREFIX: prefix, EMAIL_QUEUE: name });
  const bullmqPrefix = redisKeys(config.redisKeyPrefix).bullmq;
  const notifierQueue = new BullmqEmailQueue({ ...config, redisUrl: REDIS_URL, prefix: bullmqPrefix, name });
  const control = new Queue(name, { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix: bullmqPrefix });
  const children: ChildProcess[] = [];
  try {
    children.push(...(await Promise.all(Array.from({ length: workers }, () => startWorker(prefix, name, sink.url)))));
    // Warm-up: every worker process has run its code long enough for V8 to optimise it, as a long-running worker has.
    const warmUp = Array.from({ length: WARM_UP_EMAILS * workers }, (_, n) => approval(n));
    await enqueuePaused(control, notifierQueue, warmUp);
    await sink.rate(warmUp.length, () => control.resume());
    await enqueuePaused(control, notifierQueue, jobs);
    const cpu = (): number => children.reduce((sum, child) => sum + processTreeCpuMicros(child.pid!), 0);
    const cpuBefore = cpu();
    const sinkCpu = sink.cpu();
    const rate = await sink.rate(jobs.length, () => control.resume());
    const cpuPerEmail = Math.round((cpu() - cpuBefore) / jobs.length);
    const sinkCpuPerEmail = Math.round((sink.cpu() - sinkCpu) / jobs.length);
    for (;;) {
      const counts = await notifierQueue.counts();
      if (counts.completed === warmUp.length + jobs.length) break;
      if (counts.failed > 0) throw new Error(`${counts.failed} email job(s) failed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { rate, cpuPerEmail, sinkCpuPerEmail };
  } finally {
    await Promise.all(children.map(stopProcess));
    await control.obliterate({ force: true });
    await control.close();
    await notifierQueue.close();
  }
}

/** Deletes every key of the REDIS_KEY_PREFIX `prefix` (its queues, and its claim if a worker made one). */
async function deletePrefix(prefix: string): Promise<void> {
  const redis = new IORedis(REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * R12, issue 14 item 5: emails per second from BullMQ through 1, 2 and 4 `npm run worker`
 * processes (default settings) to an SMTP sink in its own process, each beside a bare pooled
 * nodemailer sender (same pool size, no queue) measured just before against the same sink, the
 * medians of ROUNDS rounds; and the sink's own limit, from a raw pipelining client.
 */
export const emailBench: Bench = async () => {
  // The settings `npm run worker` gets from this environment: its defaults unless EMAIL_WORKER_CONCURRENCY or SMTP_* are set.
  const defaults = notificationsConfig(process.env);
  const pool = defaults.smtpPool;
  const jobs = Array.from({ length: EMAILS }, (_, n) => approval(n));
  // A REDIS_KEY_PREFIX of this run's own: the workers neither claim nor use the caller's (a
  // developer's shared Redis, where `ztkeys:deployment` is a deployment's), and it is deleted at the end.
  const prefix = `ztkeys-bench-${randomUUID().slice(0, 8)}`;
  const sink = await Sink.start();
  const load = (): string => `load average ${loadavg()[0].toFixed(1)}`;
  try {
    const rows: BenchRow[] = [];
    const wire = (await built(jobs)).map((data, n) => wireMessage('no-reply@bench.example', jobs[n].to.email, data));
    const limit = await sink.rate(wire.length, () => blastSmtp(sink.port, wire, pool.maxConnections, BLAST_WINDOW));
    rows.push({
      name: `SMTP sink's own limit (smtp-server, own process): raw client, ${pool.maxConnections} connections, ${BLAST_WINDOW} pipelined messages each, ${EMAILS} pre-built emails (${load()})`,
      value: limit,
      unit: 'emails/s',
    });
    const runs = WORKER_COUNTS.map(() => ({ bare: [] as Measured[], ours: [] as Measured[], loads: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, workers] of WORKER_COUNTS.entries()) {
        runs[i].bare.push(await barePooledNodemailer(sink, jobs, pool));
        runs[i].ours.push(await throughWorkers(sink, jobs, workers, prefix));
        runs[i].loads.push(Math.round(loadavg()[0] * 10) / 10);
      }
    }
    const of = (measured: readonly Measured[], field: keyof Measured) => measured.map((one) => one[field]);
    const rates = runs.map(({ ours }) => median(of(ours, 'rate')));
    for (const [i, workers] of WORKER_COUNTS.entries()) {
      const { bare, ours, loads } = runs[i];
      const [rate, bareRate] = [rates[i], median(of(bare, 'rate'))];
      const label = `${workers} \`npm run worker\` process${workers > 1 ? 'es' : ''} (concurrency ${defaults.concurrency}, ${pool.maxConnections} pooled connections each)`;
      const ceilingName = `bare pooled nodemailer, ${pool.maxConnections} connections, no queue, same emails and sink (${spread(of(bare, 'rate'))})`;
      rows.push(
        {
          name: `emails, BullMQ → ${label} → sink: ${rate >= 0.8 * bareRate ? 'PASS' : 'FAIL'}, needs ≥ 0.8 × bare (median of ${ROUNDS} rounds: ${spread(of(ours, 'rate'))}; load average ${spread(loads)})`,
          value: rate,
          unit: 'emails/s',
          ceilingName,
          ceilingValue: bareRate,
        },
        {
          name: `(same rounds) CPU per email of the ${label} (the sink meanwhile: ${median(of(ours, 'sinkCpuPerEmail'))} µs/email, ${median(of(bare, 'sinkCpuPerEmail'))} behind the bare sender)`,
          value: median(of(ours, 'cpuPerEmail')),
          unit: 'µs CPU/email',
          ceilingName,
          ceilingValue: median(of(bare, 'cpuPerEmail')),
        },
      );
    }
    for (let i = 1; i < WORKER_COUNTS.length; i++) {
      rows.push({
        name: `emails, ${WORKER_COUNTS[i]} worker processes: ${rates[i] >= rates[0] ? 'PASS' : 'FAIL'}, needs ≥ 1 worker process (medians of ${ROUNDS} rounds)`,
        value: rates[i],
        unit: 'emails/s',
        ceilingName: '1 worker process',
        ceilingValue: rates[0],
      });
    }
    return rows;
  } finally {
    await sink.stop();
    await deletePrefix(prefix);
  }
};
