import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEmailQueue } from '../../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import { emailQueueContract } from './email-queue.contract';

emailQueueContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-email-queue-'));
  return {
    async open(store, retry) {
      const db = openSqliteFile(join(dir, `${store}.sqlite`), 'NORMAL');
      const queue = new SqliteEmailQueue(db, { retry, lockMs: 2000, pollMs: 50, keepCompletedMs: 3600_000 });
      // The store's file closes with the queue, as the email backend does.
      const close = queue.close.bind(queue);
      return Object.assign(queue, { close: async () => (await close(), db.close()) });
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
