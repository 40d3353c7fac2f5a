import { Test } from '@nestjs/testing';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { EmailNotifications } from '../../src/notifications/email-notifications';
import { NotificationsModule } from '../../src/notifications/notifications.module';
import { notificationsConfig } from '../../src/notifications/notifications.config';
import { EMAIL_QUEUE, type EmailQueue } from '../../src/notifications/queue/email-queue.port';
import { OrgLog } from './support/org-log';
import { waitFor } from './support/wait-for';

describe('NotificationsModule', () => {
  it('starts the notifications with the app, exposes the queue, and stops them when the app closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztkeys-module-'));
    const events = new SqliteEventStore({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    const notifications = new EmailNotifications({
      config: notificationsConfig({ DATA_DIR: dir }),
      events,
      registry: new Registry(),
     
      worker: true,
    });
    const app = await Test.createTestingModule({ imports: [NotificationsModule.register(notifications)] }).compile();
    await app.init();
    try {
      const log = new OrgLog(events, 'acme');
      const sam = log.agent('Sam');
      await log.create('Acme Support', sam);
      await log.firstKey(sam);
      const outbox = join(dir, 'outbox');
      await waitFor('the first-key email', () => existsSync(outbox) && readdirSync(outbox).length === 1);
      const queue = app.get<EmailQueue>(EMAIL_QUEUE);
      // The job is marked completed just after its file is written: wait for that, not only the file.
      await waitFor('the job to be completed', async () => (await queue.counts()).completed === 1);
      expect(await queue.counts()).toMatchObject({ completed: 1 });
    } finally {
      await app.close();
      // Closed with the app: the queue's store no longer answers.
      expect(await notifications.readiness.ping()).toBe(false);
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
