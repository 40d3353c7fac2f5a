import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmailQueueGivenUpReason, RetryPolicy } from '../../src/notifications/queue/email-queue.port';
import { SqliteEmailQueue, type SqliteEmailQueueOptions } from '../../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import { emailQueueContract } from './email-queue.contract';
import { approvalJob } from './support/email-jobs';
import { waitFor } from './support/wait-for';

emailQueueContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-email-queue-'));
  const path = (store: string): string => join(dir, `${store}.sqlite`);
  const options = (retry: RetryPolicy): SqliteEmailQueueOptions => ({ retry, lockMs: 2000, pollMs: 50, keepCompletedMs: 3600_000 });
  return {
    async open(store, retry) {
      const db = openSqliteFile(path(store), 'NORMAL');
      const queue = new SqliteEmailQueue(db, options(retry));
      // The store's file closes with the queue, as the email backend does.
      const close = queue.close.bind(queue);
      return Object.assign(queue, { close: async () => (await close(), db.close()) });
    },
    workerArgs: (store, retry) => ({ adapter: 'sqlite', path: path(store), options: options(retry) }),
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite email queue', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-email-queue-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (attempts: number): { queue: SqliteEmailQueue; close: () => Promise<void> } => {
    const db = openSqliteFile(join(dir, 'email.sqlite'), 'NORMAL');
    const queue = new SqliteEmailQueue(db, { retry: { attempts, backoffMs: 200 }, lockMs: 2000, pollMs: 50, keepCompletedMs: 3600_000 });
    return { queue, close: async () => void (await queue.close(), db.close()) };
  };

  it('EMAIL_ATTEMPTS lowered across a restart: a job waiting for a retry that used the new limit is given up as out of attempts, not as its worker lost', async () => {
    const job = approvalJob();
    const attempts: number[] = [];
    const before = open(3);
    await before.queue.add([job]);
    before.queue.process(
      async (_job, attempt) => {
        attempts.push(attempt);
        throw new Error(`451 try again later (attempt ${attempt})`);
      },
      { concurrency: 1 },
    );
    await waitFor('2 failed attempts', () => attempts.length === 2);
    await before.close();
    expect(attempts).toEqual([1, 2]);

    const after = open(2);
    try {
      const givenUp: Array<[string, EmailQueueGivenUpReason]> = [];
      after.queue.process(async (_job, attempt) => void attempts.push(attempt), {
        concurrency: 1,
        onGivenUp: (lost, reason) => givenUp.push([lost.id, reason]),
      });
      await waitFor('the job given up', async () => (await after.queue.counts()).failed === 1);
      expect(givenUp).toEqual([[job.id, 'attempts']]);
      expect(attempts).toEqual([1, 2]);
      expect((await after.queue.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job, attempts: 2, error: '451 try again later (attempt 2)' })]);
    } finally {
      await after.close();
    }
  });
});
