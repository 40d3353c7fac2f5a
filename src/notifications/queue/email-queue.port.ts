import type { EmailJob } from '../email-job';

/**
 * Sends one job's email; a rejection is a failed attempt, retried with backoff until attempts run
 * out, unless it is a PermanentJobFailure.
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
  attempts: number;
  error: string;
  failedAt: Date;
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
  process(handler: EmailJobHandler, options: { concurrency: number }): EmailQueueWorker;
  counts(): Promise<EmailQueueCounts>;
  /** Most recently failed first. */
  failed(limit: number): Promise<FailedEmailJob[]>;
  /** True when the queue's store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Nest injection token of the email queue. */
export const EMAIL_QUEUE = Symbol('EMAIL_QUEUE');
