import type { EmailJob } from '../email-job';

/**
 * Sends one job's email; a rejection is a failed attempt, retried with backoff until attempts run
 * out, unless it is a PermanentJobFailure (failed at once) or a JobForNewerRelease (no attempt).
 */
export type EmailJobHandler = (job: EmailJob, attempt: number) => Promise<void>;

/**
 * What a handler throws when trying again cannot help (the SMTP server refused the email for
 * good): the job fails at once, with no further attempt, and is kept in the failed jobs with
 * the message of `cause`.
 */
export class PermanentJobFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'PermanentJobFailure';
  }
}

/**
 * What a handler throws for a job it cannot handle but a newer release can: a kind this release
 * does not know, queued by a newer release's notifier during a rolling upgrade. The job goes back
 * to the queue, due again after `delayMs`, for a worker that knows it: the start is not counted as
 * an attempt, and the job is never failed nor given up for it.
 */
export class JobForNewerRelease extends Error {
  constructor(
    readonly kind: string,
    readonly delayMs: number,
  ) {
    super(`email job of kind ${JSON.stringify(kind)}, written by a newer ztkeys release: left for a worker that knows it`);
    this.name = 'JobForNewerRelease';
  }
}

/** How failed attempts are retried: attempt n waits backoffMs * 2^(n-1) before attempt n+1. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** Jobs by state; `waiting` are due now, `delayed` wait for a retry. */
export interface EmailQueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
}

/** A job that ran out of attempts or failed for good; kept until an operator deals with it. */
export interface FailedEmailJob {
  job: EmailJob;
  /** Attempts made since it was queued (or last retried by an operator). */
  attempts: number;
  /**
   * Its last failed attempt's error: the mailer's message, with the SMTP server's answer. Given up
   * by the queue (no start left) after none failed, WORKER_LOST_ERROR.
   */
  error: string;
  failedAt: Date;
}

/** The error of a failed job no attempt of which failed since it was queued (or retried): its workers were lost. */
export const WORKER_LOST_ERROR = 'worker lost during the last attempt';

/** One page of the failed jobs, most recently failed first. */
export interface FailedEmailJobsPage {
  jobs: FailedEmailJob[];
  /** Passed back to failedJobs, the next page; absent on the last one. */
  next?: string;
}

/** Where a job stands; `missing` for an id the queue does not hold (never queued, or completed and pruned). */
export type EmailJobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'missing';

/** A page cursor this queue did not give (mistyped, or from the other adapter). */
export class InvalidFailedJobsCursor extends Error {
  constructor(readonly cursor: string) {
    super(`not a cursor of the failed jobs list: ${JSON.stringify(cursor)}`);
    this.name = 'InvalidFailedJobsCursor';
  }
}

/**
 * retryFailed or discardFailed named jobs that are not failed: retrying a waiting, running or
 * completed job would send its email twice, discarding one would drop an email still to be sent
 * (or a sent one's trace). Nothing was retried or discarded.
 */
export class NotFailedEmailJobs extends Error {
  constructor(readonly jobs: ReadonlyArray<{ id: string; state: Exclude<EmailJobState, 'failed'> }>) {
    super(`not failed: ${jobs.map(({ id, state }) => `${id} is ${state}`).join(', ')}`);
    this.name = 'NotFailedEmailJobs';
  }
}

/**
 * Why the queue, not the handler, gave a job up: the workers running it died (killed, lock or
 * lease lost) until it had no try left ('worker_lost'), or it had used its attempts already, its
 * last one failed ('attempts': EMAIL_ATTEMPTS lowered since).
 */
export type EmailQueueGivenUpReason = 'worker_lost' | 'attempts';

export interface EmailQueueWorkerOptions {
  concurrency: number;
  /**
   * Told of each job this worker gives up without handing it to the handler, which never saw that
   * end. Called once per job, by the one worker that moves it to the failed jobs, whatever the
   * number of workers.
   */
  onGivenUp?: (job: EmailJob, reason: EmailQueueGivenUpReason) => void;
}

/** A running consumer of the queue. */
export interface EmailQueueWorker {
  /** Takes no new job, lets the running ones finish, then resolves. */
  close(): Promise<void>;
}

/**
 * The email job queue. Adapters: BullMQ on Redis, and SQLite for the embedded default.
 * Jobs are at-least-once: a job whose worker died is handed out again.
 */
export interface EmailQueue {
  /** Adds jobs; a job whose id the queue already holds (waiting, running, done or failed) is ignored. */
  add(jobs: readonly EmailJob[]): Promise<void>;
  /** Starts handing jobs to `handler`, up to `concurrency` at a time. */
  process(handler: EmailJobHandler, options: EmailQueueWorkerOptions): EmailQueueWorker;
  counts(): Promise<EmailQueueCounts>;
  /** Up to `limit` failed jobs, most recently failed first, from the page `after` names (the first page without it). */
  failedJobs(limit: number, after?: string): Promise<FailedEmailJobsPage>;
  /**
   * Puts failed jobs back in the queue, waiting, with their attempts counted from zero again (an
   * operator retries once the cause is fixed: the job gets its full EMAIL_ATTEMPTS), and resolves
   * to the ids retried. With ids, every one must be failed, else NotFailedEmailJobs and nothing
   * is retried; with 'all', every job failed when it is called.
   */
  retryFailed(which: readonly string[] | 'all'): Promise<string[]>;
  /**
   * Removes failed jobs for good (emails that can never be sent, e.g. to an address that will
   * never accept them), and resolves to the jobs discarded. With ids, every one must be failed,
   * else NotFailedEmailJobs and nothing is discarded; with 'all', every job failed when it is
   * called. The queue then holds nothing of them: their ids are free, as a pruned completed job's.
   */
  discardFailed(which: readonly string[] | 'all'): Promise<EmailJob[]>;
  /** True when the queue's store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Nest injection token of the email queue. */
export const EMAIL_QUEUE = Symbol('EMAIL_QUEUE');
