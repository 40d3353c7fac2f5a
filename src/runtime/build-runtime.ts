import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { Runtime } from '../app.module';
import type { AppConfig } from '../config/app-config';
import { loadSecrets } from '../config/secrets';
import { openEventStore } from '../event-store/open-event-store';
import { EmailNotifications } from '../notifications/email-notifications';
import { notificationsConfig } from '../notifications/notifications.config';
import { NotificationsModule } from '../notifications/notifications.module';

/** Everything a process runs, built from its configuration before Nest starts; `close` releases the stores. */
export interface ProcessRuntime extends Runtime {
  close(): Promise<void>;
}

/**
 * Builds the parts of the roles this process runs (ROLES): one machine runs them all in one
 * process; at scale each container runs one. The app, the tests and the benchmarks all start here.
 */
export function buildRuntime(config: AppConfig, env: NodeJS.ProcessEnv = process.env): ProcessRuntime {
  const logger = new Logger('Runtime');
  const secrets = loadSecrets(config);
  const eventStore = openEventStore(config);
  const registry = new Registry();
  const runs = (role: AppConfig['roles'][number]) => config.roles.includes(role);

  const readinessChecks = [{ name: 'eventStore', ping: () => eventStore.ping() }];
  const modules = [];
  if (runs('notifier') || runs('worker')) {
    const notifications = new EmailNotifications({
      config: notificationsConfig({ ...env, DATA_DIR: config.dataDir }),
      registry,
      events: runs('notifier') ? eventStore : undefined,
      worker: runs('worker'),
      onError: (error) => logger.warn(`email queue: ${String(error)}`),
    });
    readinessChecks.push(notifications.readiness);
    modules.push(NotificationsModule.register(notifications));
  }

  return {
    config,
    secrets,
    eventStore,
    registry,
    readinessChecks,
    modules,
    close: () => eventStore.close(),
  };
}
