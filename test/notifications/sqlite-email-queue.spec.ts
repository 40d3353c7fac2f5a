import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetryPolicy } from '../../src/notifications/queue/email-queue.port';
import { SqliteEmailQueue, type SqliteEmailQueueOptions } from '../../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import { emailQueueContract } from './email-queue.contract';

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

