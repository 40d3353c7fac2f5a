import Database from 'better-sqlite3';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetryPolicy } from '../../src/notifications/queue/email-queue.port';
import { SqliteEmailQueue, type SqliteEmailQueueOptions } from '../../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import { emailQueueContract } from './email-queue.contract';
import { approvalJob } from './support/email-jobs';

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


describe('the SQLite email queue with its folder moved away (DATA_DIR moved under a running server)', () => {
  it('takes no job while its file is not at its path, reports why, and sends it once the folder is back', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'ztkeys-email-queue-moved-'));
    const folder = join(parent, 'data');
    const errors: unknown[] = [];
    const db = openSqliteFile(join(folder, 'email.sqlite'), 'NORMAL');
    const queue = new SqliteEmailQueue(db, { retry: { attempts: 3, backoffMs: 10 }, lockMs: 2000, pollMs: 20, keepCompletedMs: 3600_000, onError: (error) => errors.push(error) });
    const sent: string[] = [];
    const job = approvalJob(1);
    try {
      await queue.add([job]);
      renameSync(folder, `${folder}.moved`);
      const worker = queue.process(async (taken) => void sent.push(taken.id), { concurrency: 1 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Claimed in a file the next start would not open: its attempts spent, its email sent, neither recorded where it looks.
      expect(sent).toEqual([]);
      expect(String(errors[0])).toMatch(/email\.sqlite is not the file this server opened/);
      renameSync(`${folder}.moved`, folder);
      for (let waited = 0; sent.length === 0 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sent).toEqual([job.id]);
      await worker.close();
    } finally {
      await queue.close();
      db.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("the SQLite email queue while another connection holds its file's write lock", () => {
  it('waits for it on the event loop, not in it: adds and sends the job once the lock is free', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztkeys-email-queue-locked-'));
    const path = join(dir, 'email.sqlite');
    const db = openSqliteFile(path, 'NORMAL');
    const queue = new SqliteEmailQueue(db, { retry: { attempts: 3, backoffMs: 10 }, lockMs: 2000, pollMs: 20, keepCompletedMs: 3600_000 });
    const order: string[] = [];
    const job = approvalJob(1);
    const worker = queue.process(async (taken) => void order.push(`sent ${taken.id}`), { concurrency: 2 });
    // An operator's sqlite3 in a transaction, another server's worker claiming: SQLite's busy handler would sleep this thread (and the API on it).
    const holder = new Database(path);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const added = queue.add([job]).then(() => order.push('added'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('timer fired');
      holder.exec('COMMIT');
      await added;
      for (let waited = 0; order.length < 3 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(order).toEqual(['timer fired', 'added', `sent ${job.id}`]);

      // The workers' claims meet the lock the same way (a job the holder itself adds): it is sent once the lock is free.
      holder.exec('BEGIN IMMEDIATE');
      const next = approvalJob(2);
      holder.prepare(`INSERT INTO email_jobs (id, data, state, due_at) VALUES (?, ?, 'waiting', ?)`).run(next.id, JSON.stringify(next), Date.now());
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push('still held');
      holder.exec('COMMIT');
      for (let waited = 0; order.length < 5 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(order.slice(3)).toEqual(['still held', `sent ${next.id}`]);
    } finally {
      holder.close();
      await worker.close();
      await queue.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
