import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { assertOpenedFile, LIMIT_PARAMETER, sqliteAnswers } from '../../shared/sqlite-file';
import { SqliteWriteFaults } from '../../shared/sqlite-write-faults';
import type { EmailJob } from '../email-job';
import { pause, WakeUp } from '../../shared/pause';
import {
  JobForNewerRelease,
  NotFailedEmailJobs,
  PermanentJobFailure,
  WORKER_LOST_ERROR,
  type EmailJobHandler,
  type EmailJobState,
  type EmailQueue,
  type EmailQueueGivenUpReason,
  type EmailQueueCounts,
  type EmailQueueWorker,
  type EmailQueueWorkerOptions,
  type FailedEmailJobsPage,
  type RetryPolicy,
} from './email-queue.port';
import { failedJobsCursor, parseFailedJobsCursor } from './failed-jobs-cursor';
import { retryDelay } from './retry-delay';

export interface SqliteEmailQueueOptions {
  retry: RetryPolicy;
  /** How long a claimed job stays with its worker without news; renewed while it runs. */
  lockMs: number;
  /** How often an idle worker looks for jobs added by another process. */
  pollMs?: number;
  /** Completed jobs are kept this long, so a replayed event still finds its job id. */
  keepCompletedMs: number;
  onError?: (error: unknown) => void;
}

interface JobRow {
  id: string;
  data: string;
  state: 'waiting' | 'active';
  attempts: number;
  error: string | null;
  due_at: number;
  lease_token: string | null;
}

/**
 * The embedded email queue, kept in SQLite so jobs survive a restart. A worker claims a job
 * with a lease that it renews while sending; a job whose worker died (lease over) is claimed
 * again. `due_at` is when a waiting job is due, when an active job's lease ends, and when a
 * completed or failed job finished, so one index serves claims, pruning and listing.
 */
export class SqliteEmailQueue implements EmailQueue {
  private readonly wakeUp = new WakeUp();
  private readonly workers = new Set<EmailQueueWorker>();
  private readonly statements;
  private readonly faults: SqliteWriteFaults;

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteEmailQueueOptions,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS email_jobs (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'completed', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        due_at INTEGER NOT NULL,
        lease_token TEXT,
        error TEXT
      );
      CREATE INDEX IF NOT EXISTS email_jobs_by_state ON email_jobs (state, due_at);
    `);
    this.faults = new SqliteWriteFaults(db, 'the email queue (email.sqlite)');
    this.statements = {
      insert: db.prepare(`INSERT OR IGNORE INTO email_jobs (id, data, state, due_at) VALUES (?, ?, 'waiting', ?)`),
      due: db.prepare<[number], JobRow>(
        `SELECT id, data, state, attempts, error, due_at, lease_token FROM email_jobs
         WHERE state IN ('waiting', 'active') AND due_at <= ? ORDER BY due_at LIMIT 1`,
      ),
      nextDue: db.prepare<[], { due: number | null }>(
        `SELECT MIN(due_at) AS due FROM email_jobs WHERE state IN ('waiting', 'active')`,
      ),
      claim: db.prepare(
        `UPDATE email_jobs SET state = 'active', attempts = attempts + 1, due_at = ?, lease_token = ? WHERE id = ?`,
      ),
      renew: db.prepare(`UPDATE email_jobs SET due_at = ? WHERE id = ? AND lease_token = ?`),
      complete: db.prepare(
        `UPDATE email_jobs SET state = 'completed', due_at = ?, lease_token = NULL, error = NULL WHERE id = ? AND lease_token = ?`,
      ),
      retry: db.prepare(
        `UPDATE email_jobs SET state = 'waiting', due_at = ?, lease_token = NULL, error = ? WHERE id = ? AND lease_token IS ?`,
      ),
      // Its start was no attempt (JobForNewerRelease): uncounted, its last failed attempt's error kept.
      handBack: db.prepare(
        `UPDATE email_jobs SET state = 'waiting', attempts = attempts - 1, due_at = ?, lease_token = NULL WHERE id = ? AND lease_token = ?`,
      ),
      fail: db.prepare(
        `UPDATE email_jobs SET state = 'failed', due_at = ?, lease_token = NULL, error = ? WHERE id = ? AND lease_token IS ?`,
      ),
      prune: db.prepare(`DELETE FROM email_jobs WHERE state = 'completed' AND due_at < ?`),
      counts: db.prepare<[number], { state: string; due: number; n: number }>(
        `SELECT state, due_at <= ? AS due, COUNT(*) AS n FROM email_jobs GROUP BY state, due`,
      ),
      // Keyset pages: a job failing or retried meanwhile neither repeats nor hides another.
      failed: db.prepare<[number, string, number], Omit<JobRow, 'state'>>(
        `SELECT id, data, attempts, error, due_at, lease_token FROM email_jobs
         WHERE state = 'failed' AND (due_at, id) < (?, ?) ORDER BY due_at DESC, id DESC ${LIMIT_PARAMETER}`,
      ),
      job: db.prepare<[string], { state: string; due_at: number; data: string }>(`SELECT state, due_at, data FROM email_jobs WHERE id = ?`),
      allFailed: db.prepare<[], { id: string; data: string }>(`SELECT id, data FROM email_jobs WHERE state = 'failed'`),
      // Attempts from zero: the operator fixed the cause, the job gets its full EMAIL_ATTEMPTS again.
      retryFailed: db.prepare<[number, string]>(
        `UPDATE email_jobs SET state = 'waiting', attempts = 0, due_at = ?, lease_token = NULL, error = NULL WHERE id = ? AND state = 'failed'`,
      ),
      discardFailed: db.prepare<[string]>(`DELETE FROM email_jobs WHERE id = ? AND state = 'failed'`),
    };
  }

  async add(jobs: readonly EmailJob[]): Promise<void> {
    const now = Date.now();
    await this.faults.writeWhenFree(() =>
      this.db.transaction(() => {
        for (const job of jobs) this.statements.insert.run(job.id, JSON.stringify(job), now);
      })(),
    );
    this.wake();
  }

  process(handler: EmailJobHandler, { concurrency, onGivenUp }: EmailQueueWorkerOptions): EmailQueueWorker {
    const state = { closing: false };
    const loops = Array.from({ length: concurrency }, () => this.loop(handler, state, onGivenUp));
    const worker: EmailQueueWorker = {
      close: async () => {
        state.closing = true;
        this.wake();
        await Promise.all(loops);
        this.workers.delete(worker);
      },
    };
    this.workers.add(worker);
    return worker;
  }

  async counts(): Promise<EmailQueueCounts> {
    const counts: EmailQueueCounts = { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };
    for (const { state, due, n } of this.statements.counts.all(Date.now())) {
      if (state === 'waiting') counts[due ? 'waiting' : 'delayed'] += n;
      else counts[state as 'active' | 'completed' | 'failed'] += n;
    }
    return counts;
  }

  async failedJobs(limit: number, after?: string): Promise<FailedEmailJobsPage> {
    const { failedAt, id } = after === undefined ? { failedAt: Number.MAX_SAFE_INTEGER, id: '' } : parseFailedJobsCursor(after);
    const rows = this.statements.failed.all(failedAt, id, limit + 1);
    const jobs = rows.slice(0, limit).map((row) => ({
      job: JSON.parse(row.data) as EmailJob,
      attempts: row.attempts,
      error: row.error ?? '',
      failedAt: new Date(row.due_at),
    }));
    const last = rows[limit - 1];
    return rows.length > limit ? { jobs, next: failedJobsCursor({ failedAt: last.due_at, id: last.id }) } : { jobs };
  }

  async retryFailed(which: readonly string[] | 'all'): Promise<string[]> {
    const retried = await this.changeFailed(which, (id, now) => this.statements.retryFailed.run(now, id));
    this.wake();
    return retried.map(({ id }) => id);
  }

  async discardFailed(which: readonly string[] | 'all'): Promise<EmailJob[]> {
    return (await this.changeFailed(which, (id) => this.statements.discardFailed.run(id))).map(({ data }) => JSON.parse(data) as EmailJob);
  }

  async ping(): Promise<boolean> {
    this.faults.check();
    return sqliteAnswers(this.db);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.close()));
  }

  private async loop(handler: EmailJobHandler, state: { closing: boolean }, onGivenUp: EmailQueueWorkerOptions['onGivenUp']): Promise<void> {
    while (!state.closing) {
      try {
        // No claim in a file its path no longer leads to (DATA_DIR moved away): the attempt would be spent where no start looks.
        assertOpenedFile(this.db);
        const { claimed, givenUp } = await this.faults.writeWhenFree(() => this.claim());
        // Told once committed: the IMMEDIATE claim made this worker the only one to move them.
        for (const { job, reason } of givenUp) onGivenUp?.(job, reason);
        if (claimed) await this.run(claimed, handler);
        else await this.sleep();
      } catch (error) {
        // The store itself failed (e.g. disk full): report, wait, try again.
        this.options.onError?.(error);
        await this.sleep();
      }
    }
  }

  /**
   * Takes the next due job, or the job of a worker whose lease ran out; `givenUp` are the jobs it
   * failed on the way, with no attempt left.
   */
  private claim(): { claimed?: { row: JobRow; token: string }; givenUp: Array<{ job: EmailJob; reason: EmailQueueGivenUpReason }> } {
    return this.db
      .transaction(() => {
        const givenUp: Array<{ job: EmailJob; reason: EmailQueueGivenUpReason }> = [];
        for (;;) {
          const now = Date.now();
          const row = this.statements.due.get(now);
          if (!row) return { givenUp };
          if (row.attempts >= this.options.retry.attempts) {
            // Active: its worker died during the last attempt. Waiting: its last attempt failed
            // with attempts left then, none now (EMAIL_ATTEMPTS lowered since).
            this.statements.fail.run(now, row.error ?? WORKER_LOST_ERROR, row.id, row.lease_token);
            givenUp.push({ job: JSON.parse(row.data) as EmailJob, reason: row.state === 'active' ? 'worker_lost' : 'attempts' });
            continue;
          }
          const token = randomUUID();
          this.statements.claim.run(now + this.options.lockMs, token, row.id);
          return { claimed: { row: { ...row, attempts: row.attempts + 1 }, token }, givenUp };
        }
      })
      .immediate();
  }

  private async run({ row, token }: { row: JobRow; token: string }, handler: EmailJobHandler): Promise<void> {
    const renew = setInterval(() => {
      this.faults.writeWhenFree(() => this.statements.renew.run(Date.now() + this.options.lockMs, row.id, token)).catch((error: unknown) => this.options.onError?.(error));
    }, this.options.lockMs / 3);
    let outcome: () => void;
    try {
      await handler(JSON.parse(row.data) as EmailJob, row.attempts);
      outcome = () => {
        const now = Date.now();
        this.statements.complete.run(now, row.id, token);
        this.statements.prune.run(now - this.options.keepCompletedMs);
      };
    } catch (error) {
      outcome = this.failedOutcome(error, row, token);
    } finally {
      clearInterval(renew);
    }
    // One transaction: tried again whole while another connection holds the lock.
    await this.faults.writeWhenFree(this.db.transaction(outcome).immediate);
  }

  /** What a rejection of the handler leaves: the job handed back unattempted, retried, or failed. */
  private failedOutcome(error: unknown, row: JobRow, token: string): () => void {
    if (error instanceof JobForNewerRelease) return () => void this.statements.handBack.run(Date.now() + error.delayMs, row.id, token);
    const message = error instanceof Error ? error.message : String(error);
    const gaveUp = error instanceof PermanentJobFailure || row.attempts >= this.options.retry.attempts;
    return () => {
      const now = Date.now();
      if (gaveUp) this.statements.fail.run(now, message, row.id, token);
      else this.statements.retry.run(now + retryDelay(row.attempts, this.options.retry), message, row.id, token);
    };
  }

  /**
   * Applies `change` to the failed jobs `which` names, and returns them. With ids, every one must
   * be failed, else NotFailedEmailJobs and nothing is changed. IMMEDIATE: the states read are the
   * ones changed, whatever another process (a worker, the server) writes.
   */
  private changeFailed(which: readonly string[] | 'all', change: (id: string, now: number) => void): Promise<Array<{ id: string; data: string }>> {
    return this.faults.writeWhenFree(() =>
      this.db
        .transaction(() => {
          const now = Date.now();
          const jobs = which === 'all' ? this.statements.allFailed.all() : this.namedFailed([...new Set(which)], now);
          for (const { id } of jobs) change(id, now);
          return jobs;
        })
        .immediate(),
    );
  }

  private namedFailed(ids: string[], now: number): Array<{ id: string; data: string }> {
    const found = ids.map((id) => ({ id, row: this.statements.job.get(id) }));
    const refused = found.flatMap(({ id, row }) => {
      const state: EmailJobState = !row ? 'missing' : row.state === 'waiting' && row.due_at > now ? 'delayed' : (row.state as EmailJobState);
      return state === 'failed' ? [] : [{ id, state }];
    });
    if (refused.length > 0) throw new NotFailedEmailJobs(refused);
    return found.map(({ id, row }) => ({ id, data: row!.data }));
  }

  /** Waits until the next job is due, a job is added here, the poll interval passes, or a worker closes. */
  private sleep(): Promise<void> {
    const next = this.statements.nextDue.get()?.due;
    const poll = this.options.pollMs ?? 1000;
    const wait = next == null ? poll : Math.min(poll, Math.max(0, next - Date.now()));
    return pause(wait, this.wakeUp.signal);
  }

  private wake(): void {
    this.wakeUp.wake();
  }
}
