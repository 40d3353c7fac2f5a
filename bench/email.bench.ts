import { Queue } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { emailJobId, type EmailJob } from '../src/notifications/email-job';
import type { Bench } from './bench-row';

const REDIS_URL = 'redis://127.0.0.1:6379';
const WORKER_MAIN = join(__dirname, '..', 'src', 'notifications', 'worker.main.js');
const CONCURRENCY = 4;
const EMAILS = 1_500;
const BARE_JOBS = 10_000;

/** A loopback SMTP server that accepts and counts; it does not parse, so it is not the bottleneck. */
async function countingSmtpServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

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

/** Starts a process and resolves once it prints `ready`. */
function startProcess(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
      if (output.includes(ready)) resolve(child);
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

/** The email worker as deployed (`npm run worker`), sending to the loopback SMTP server. */
const emailWorker = (queue: string, smtpUrl: string): Promise<ChildProcess> =>
  startProcess(
    [WORKER_MAIN],
    { REDIS_URL, SMTP_URL: smtpUrl, EMAIL_QUEUE: queue, EMAIL_WORKER_CONCURRENCY: String(CONCURRENCY) },
    'email worker ready',
  );

/** The ceiling: a bare BullMQ worker process with a no-op processor, same concurrency. */
const bareWorker = (queue: string): Promise<ChildProcess> =>
  startProcess(
    [
      '-e',
      `const { Worker } = require(${JSON.stringify(require.resolve('bullmq'))});
       const worker = new Worker(${JSON.stringify(queue)}, async () => {}, { connection: { url: ${JSON.stringify(REDIS_URL)}, maxRetriesPerRequest: null }, concurrency: ${CONCURRENCY} });
       worker.waitUntilReady().then(() => console.log('ready'));
       process.once('SIGTERM', () => worker.close().then(() => process.exit(0)));`,
    ],
    {},
    'ready',
  );

/**
 * Jobs per second for `workers` processes: the jobs are queued while the queue is paused, the
 * workers started, and the clock runs from resume until every job completed.
 */
async function measure(
  jobs: number,
  workers: number,
  start: (queue: string) => Promise<ChildProcess>,
  data: (n: number) => EmailJob,
): Promise<number> {
  const name = `ztkeys-bench-${randomUUID()}`;
  const queue = new Queue<EmailJob>(name, { connection: { url: REDIS_URL, maxRetriesPerRequest: null } });
  const children: ChildProcess[] = [];
  try {
    await queue.pause();
    for (let from = 0; from < jobs; from += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, jobs - from) }, (_, i) => data(from + i));
      await queue.addBulk(batch.map((job) => ({ name: job.kind, data: job, opts: { jobId: job.id, removeOnComplete: true } })));
    }
    children.push(...(await Promise.all(Array.from({ length: workers }, () => start(name)))));
    const started = process.hrtime.bigint();
    await queue.resume();
    for (;;) {
      const counts = await queue.getJobCounts('wait', 'prioritized', 'active', 'delayed');
      if (Object.values(counts).every((count) => count === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return Math.round(jobs / seconds);
  } finally {
    await Promise.all(children.map(stopProcess));
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

/** R12: emails per second through BullMQ to a loopback SMTP server, 1 and 4 worker processes, beside bare BullMQ. */
export const emailBench: Bench = async () => {
  const smtp = await countingSmtpServer();
  try {
    const rows = [];
    for (const workers of [1, 4]) {
      const bare = await measure(BARE_JOBS, workers, bareWorker, approval);
      const emails = await measure(EMAILS, workers, (queue) => emailWorker(queue, smtp.url), approval);
      const label = `${workers} worker process${workers > 1 ? 'es' : ''}, concurrency ${CONCURRENCY} each`;
      rows.push({
        name: `emails via BullMQ to loopback SMTP, ${label}`,
        value: emails,
        unit: 'emails/s',
        ceilingName: `bare BullMQ no-op jobs, ${label}`,
        ceilingValue: bare,
      });
    }
    return rows;
  } finally {
    await smtp.close();
  }
};
