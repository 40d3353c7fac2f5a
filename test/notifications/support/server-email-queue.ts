import { openEmailBackend } from '../../../src/notifications/email-backend';
import { notificationsConfig } from '../../../src/notifications/notifications.config';

/**
 * The embedded email queue (DATA_DIR/email.sqlite) as the server makes it at its start: `npm run
 * worker` without REDIS_URL refuses a DATA_DIR where no server ran.
 */
export async function serverEmailQueue(dataDir: string): Promise<void> {
  await openEmailBackend(notificationsConfig({ DATA_DIR: dataDir })).close();
}
