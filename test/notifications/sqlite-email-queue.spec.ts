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
