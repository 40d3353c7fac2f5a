import { DelayedError, ErrorCode, Queue, RedisConnection, UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import type { EmailJob } from '../email-job';
import { within } from '../../shared/within';
import { failedJobsCursor, parseFailedJobsCursor, type FailedJobsPosition } from './failed-jobs-cursor';
import { retryDelay } from './retry-delay';
import {
  JobForNewerRelease,
  NotFailedEmailJobs,
  PermanentJobFailure,
  WORKER_LOST_ERROR,
  type EmailJobHandler,
  type EmailJobState,
  type EmailQueue,
  type EmailQueueCounts,
  type EmailQueueWorker,
  type EmailQueueWorkerOptions,
  type FailedEmailJobsPage,
  type RetryPolicy,
} from './email-queue.port';

export interface BullmqEmailQueueOptions {
  redisUrl: string;
  /** BullMQ's key prefix (its own default is `bull`): the queue's Redis keys are `{prefix}:{name}:*`. */
  prefix: string;
  /** Queue name. */
  name: string;
  retry: RetryPolicy;
  /** A job's lock; a worker that stops renewing it (killed) loses the job to another after this long. */
  lockMs: number;
  /** Completed jobs are kept this long, so a replayed event still finds its job id. */
  keepCompletedMs: number;
  /** Connection faults (Redis down): the clients reconnect by themselves, this only reports. */
  onError?: (error: unknown) => void;
}

/** Readiness and a metrics scrape must answer quickly even when Redis hangs or was never reached. */
const STORE_TIMEOUT_MS = 1000;

/**
 * How long a graceful close waits for a worker's connection that waits for jobs to be back: ioredis
 * (its default retry strategy) waits at most 2 s between two attempts.
 */
const BLOCKING_RECONNECT_MS = 3000;

/** Failed jobs read at once when retrying them all. */
const RETRY_ALL_BATCH = 1000;

/**
 * What the processor records in a job's progress when one of its attempts fails with attempts left:
 * the start it was, and the attempts made (failed) with it. BullMQ counts both (attemptsStarted,
 * attemptsMade) but keeps no trace of whether the last start failed or lost its worker.
 */
interface RetriedAttempt {
  retriedStart: number;
  attemptsMade: number;
}

/**
 * Whether a job failed when fetched, for having no start left, had its last start fail (EMAIL_ATTEMPTS
 * lowered since: reason attempts) rather than lose its worker. That fetch made one more start, and
 * moving the job to the failed set one more attempt. A record from before an operator's retry, which
 * resets both counts, matches neither: no attempt failed since, else it would have been overwritten.
 */
function lastStartFailed(job: Job<EmailJob>): boolean {
  const retried = job.progress as Partial<RetriedAttempt> | number;
  return typeof retried === 'object' && retried.retriedStart === job.attemptsStarted - 1 && retried.attemptsMade === job.attemptsMade - 1;
}

/** BullMQ's states as the port names them. */
const STATES: Record<string, EmailJobState> = {
  waiting: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  delayed: 'delayed',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

/**
 * The email queue on BullMQ. Producing fails fast while Redis is down (no offline queue), so
 * the notifier keeps its checkpoint and retries; workers wait for Redis to come back.
 */
export class BullmqEmailQueue implements EmailQueue {
  private readonly producer: IORedis;
  private readonly queue: Queue<EmailJob>;
  private readonly workers = new Set<EmailQueueWorker>();
  private closing?: Promise<void>;

  constructor(private readonly options: BullmqEmailQueueOptions) {
    this.producer = this.connect({ enableOfflineQueue: false });
    this.queue = new Queue<EmailJob>(options.name, {
      connection: this.producer,
      prefix: options.prefix,
      defaultJobOptions: {
        // No limit of the job's own: BullMQ keeps opts.attempts from the add, and a job added before
        // EMAIL_ATTEMPTS was raised would fail at the old limit. The worker's processor, under the
        // current EMAIL_ATTEMPTS, decides, as on SQLite.
        attempts: Number.MAX_SAFE_INTEGER,
        // No delay of the job's own either (BullMQ's built-in strategies keep the one given at the add):
        // the workers' backoffStrategy, the current EMAIL_BACKOFF_MS, decides, as on SQLite.
        backoff: { type: 'custom' },
        removeOnComplete: { age: Math.ceil(options.keepCompletedMs / 1000) },
        removeOnFail: false,
      },
    });
    this.queue.on('error', this.report);
  }

  async add(jobs: readonly EmailJob[]): Promise<void> {
    // A custom jobId that exists already is ignored by BullMQ: replays add nothing.
    await this.queue.addBulk(jobs.map((job) => ({ name: job.kind, data: job, opts: { jobId: job.id } })));
  }

  process(handler: EmailJobHandler, { concurrency, onGivenUp }: EmailQueueWorkerOptions): EmailQueueWorker {
    const connection = this.connect({});
    const worker: Worker<EmailJob> = new Worker<EmailJob>(this.options.name, (job, token) => this.run(handler, job, worker, token), {
      connection,
      prefix: this.options.prefix,
      concurrency,
      lockDuration: this.options.lockMs,
      stalledInterval: this.options.lockMs,
      // Every start is an attempt, one whose worker died (stalled) included, as on SQLite: the
      // processor counts them (see run), not BullMQ's maxStartedAttempts, which fails the job with
      // its own text in place of its last failure's. Stalls alone never give a job up (their count
      // is not reset by an operator's retry): the starts decide.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      // Numbered by its start, lost ones included, as the handler is told and as on SQLite (BullMQ's
      // attemptsMade leaves lost ones out). BullMQ passes the Job itself, typed as its MinimalJob.
      settings: { backoffStrategy: (_made, _type, _error, job) => retryDelay((job as Job<EmailJob>).attemptsStarted, this.options.retry) },
    });
    worker.on('error', this.report);
    worker.on('failed', (job) => {
      // Failed when fetched, the handler not run: no start left (or a deferred failure, stalled too
      // often under an earlier maxStalledCount). Failures of the handler are its own to count.
      if (job && (job.attemptsStarted > this.options.retry.attempts || job.deferredFailure)) onGivenUp?.(job.data, lastStartFailed(job) ? 'attempts' : 'worker_lost');
    });
    const handle: EmailQueueWorker = {
      close: async () => {
        // Paused at once, before the ping's round trip: a job that ends meanwhile is recorded done
        // without fetching the next one (BullMQ fetches with the completion unless paused or closing).
        const paused = worker.pause(true);
        // A graceful close waits for the worker's loop, whose Redis command waits for a reconnect
        // without end. While Redis does not answer no running job can be recorded as done anyway:
        // close at once, and its jobs go back to the queue when their locks run out. It also ends
        // the connection that waits for jobs and waits to hear it ended, which ioredis never tells
        // of one between two reconnect attempts (bullmq#4656): Redis back, that one must be too.
        await worker.close(!((await this.ping()) && (await waitingConnectionBack(worker))));
        await paused;
        connection.disconnect();
        this.workers.delete(handle);
      },
    };
    this.workers.add(handle);
    return handle;
  }

  async counts(): Promise<EmailQueueCounts> {
    // Bounded: before Redis was first reached, BullMQ waits for it without end (and holds the scrape).
    const c = await within(this.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'completed', 'failed'), STORE_TIMEOUT_MS);
    return {
      waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  /** Read in BullMQ's failed set, whose scores are the jobs' failure times: by score and id, not by rank (see FailedJobsPosition). */
  async failedJobs(limit: number, after?: string): Promise<FailedEmailJobsPage> {
    const from = after === undefined ? undefined : parseFailedJobsCursor(after);
    // One more than asked: whether a next page exists.
    const positions = await this.failedPast(from, limit + 1);
    const page = positions.slice(0, limit);
    const found = await Promise.all(page.map(async (position) => ({ position, job: await this.queue.getJob(position.id) })));
    // A job removed since it was read is left out; the cursor still names where the page ended.
    const jobs = found.flatMap(({ position, job }) =>
      job
        ? [
            {
              job: job.data,
              // Its starts, lost ones included, as on SQLite; not the fetch that failed it for having no start left.
              attempts: Math.min(job.attemptsStarted, this.options.retry.attempts),
              error: job.failedReason,
              failedAt: new Date(position.failedAt),
            },
          ]
        : [],
    );
    return positions.length > limit ? { jobs, next: failedJobsCursor(page[limit - 1]) } : { jobs };
  }

  /**
   * BullMQ's Job.retry, resetting the attempts (Queue.retryJobs keeps them: a retried job would
   * fail for good at its first failed attempt). Jobs are checked, then retried one by one: a job
   * another operator retried in between is left to that retry.
   */
  async retryFailed(which: readonly string[] | 'all'): Promise<string[]> {
    const jobs = which === 'all' ? await this.allFailed() : await this.namedFailed([...new Set(which)]);
    const retried: string[] = [];
    for (const job of jobs) {
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried.push(job.data.id);
      } catch (error) {
        if ((error as { code?: unknown }).code !== ErrorCode.JobNotInState) throw error;
      }
    }
    return retried;
  }

  /**
   * Jobs are checked, then removed one by one, each checked failed again just before (BullMQ removes
   * a job whatever its state): a job another operator retried in between is left to that retry.
   */
  async discardFailed(which: readonly string[] | 'all'): Promise<EmailJob[]> {
    const jobs = which === 'all' ? await this.allFailed() : await this.namedFailed([...new Set(which)]);
    const discarded: EmailJob[] = [];
    for (const job of jobs) {
      if (!(await job.isFailed())) continue;
      await job.remove();
      discarded.push(job.data);
    }
    return discarded;
  }

  async ping(): Promise<boolean> {
    try {
      return await within(this.queue.waitUntilReady().then(async () => (await this.producer.ping()) === 'PONG'), STORE_TIMEOUT_MS);
    } catch {
      return false;
    }
  }

  /** Closes the workers of this instance (letting running jobs finish), then the connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.workers].map((worker) => worker.close()));
      await this.queue.close();
      this.producer.disconnect();
    })();
    return this.closing;
  }

  private async namedFailed(ids: string[]): Promise<Array<Job<EmailJob>>> {
    const found = await Promise.all(
      ids.map(async (id) => {
        const job = await this.queue.getJob(id);
        const state: EmailJobState = job ? (STATES[await job.getState()] ?? 'missing') : 'missing';
        return { id, job, state };
      }),
    );
    const refused = found.flatMap(({ id, state }) => (state === 'failed' ? [] : [{ id, state: state as Exclude<EmailJobState, 'failed'> }]));
    if (refused.length > 0) throw new NotFailedEmailJobs(refused);
    return found.map(({ job }) => job!);
  }

  /** Up to `count` failed jobs past `from` (from the most recent without it), most recent first, ties by id descending as Redis orders them. */
  private async failedPast(from: FailedJobsPosition | undefined, count: number): Promise<FailedJobsPosition[]> {
    await this.queue.waitUntilReady();
    const key = this.queue.keys.failed;
    const read = async (max: string, min: string, limit: number): Promise<FailedJobsPosition[]> => {
      const flat = await this.producer.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', 0, limit);
      return Array.from({ length: flat.length / 2 }, (_, i) => ({ id: flat[2 * i], failedAt: Number(flat[2 * i + 1]) }));
    };
    if (!from) return read('+inf', '-inf', count);
    // Failed in the cursor's millisecond: those with a lower id come after it (Redis compares members byte by byte).
    const tied = (await read(String(from.failedAt), String(from.failedAt), -1)).filter(({ id }) => Buffer.compare(Buffer.from(id), Buffer.from(from.id)) < 0);
    return [...tied, ...(await read(`(${from.failedAt}`, '-inf', count))].slice(0, count);
  }

  /** Every job failed now, read before any is retried or discarded: one failing again at once is not read twice. */
  private async allFailed(): Promise<Array<Job<EmailJob>>> {
    const jobs = new Map<string, Job<EmailJob>>();
    for (let start = 0; ; start += RETRY_ALL_BATCH) {
      const batch = (await this.queue.getFailed(start, start + RETRY_ALL_BATCH - 1)).filter(Boolean);
      // Jobs failing meanwhile push the others down: read again, not twice.
      for (const job of batch) jobs.set(job.data.id, job);
      if (batch.length < RETRY_ALL_BATCH) return [...jobs.values()];
    }
  }

  /**
   * The attempt is the start's number (attemptsMade leaves out the starts whose worker died).
   * BullMQ moves a job to the failed set at once, whatever attempts it has left, on its
   * UnrecoverableError, whose message is the failed job's error.
   */
  private async run(handler: EmailJobHandler, job: Job<EmailJob>, worker: Worker<EmailJob>, token: string | undefined): Promise<void> {
    const { attempts } = this.options.retry;
    // No start left: given up unrun, with its last failed attempt's error (an operator's retry
    // deletes it: none failed since, its workers were lost).
    if (job.attemptsStarted > attempts) throw new UnrecoverableError(job.failedReason || WORKER_LOST_ERROR);
    try {
      await handler(job.data, job.attemptsStarted);
    } catch (error) {
      if (error instanceof JobForNewerRelease) await handBack(worker, job, token, error.delayMs);
      if (error instanceof PermanentJobFailure || job.attemptsStarted >= attempts) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      const retried: RetriedAttempt = { retriedStart: job.attemptsStarted, attemptsMade: job.attemptsMade + 1 };
      // Unrecorded (Redis down), a job given up later for a lowered EMAIL_ATTEMPTS is told as worker_lost.
      await job.updateProgress(retried).catch(this.report);
      throw error;
    }
  }

  /** BullMQ requires `maxRetriesPerRequest: null`: commands wait for a reconnect instead of failing. */
  private connect(extra: { enableOfflineQueue?: boolean }): IORedis {
    const client = new IORedis(this.options.redisUrl, { maxRetriesPerRequest: null, ...extra });
    client.on('error', this.report);
    return client;
  }

  private readonly report = (error: unknown): void => this.options.onError?.(error);
}

/**
 * Moves a running job back to the delayed ones, due in `delayMs`, its start not counted: BullMQ's
 * Job.moveToDelayed skips attemptsMade, but its start was counted (attemptsStarted) when it was
 * fetched, and the starts are the attempts here. Both in one script, under the job's lock. The
 * DelayedError thrown tells the worker the job was moved: neither completed nor failed.
 */
async function handBack(worker: Worker<EmailJob>, job: Job<EmailJob>, token: string | undefined, delayMs: number): Promise<never> {
  await worker.backend.moveToDelayed(job.id!, Date.now(), delayMs, token, { skipAttempt: true, fieldsToUpdate: { ats: job.attemptsStarted - 1 } });
  throw new DelayedError();
}

/** Whether the worker's connection that waits for jobs (BZPOPMIN) is connected, or is within BLOCKING_RECONNECT_MS. */
async function waitingConnectionBack(worker: Worker<EmailJob>): Promise<boolean> {
  const blocking = worker.backend.blockingConnection;
  if (!blocking) return true;
  try {
    await within(blocking.client.then((client) => RedisConnection.waitUntilReady(client)), BLOCKING_RECONNECT_MS);
    return true;
  } catch {
    return false;
  }
}
