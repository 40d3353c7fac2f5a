import { notificationsConfig } from '../../src/notifications/notifications.config';

describe('notificationsConfig', () => {
  it('defaults to the embedded queue and the outbox in ./data', () => {
    expect(notificationsConfig({})).toEqual({
      dataDir: './data',
      redisUrl: undefined,
      redisKeyPrefix: 'ztkeys',
      smtpUrl: undefined,
      from: 'ztkeys <no-reply@localhost>',
      queueName: 'ztkeys-email',
      retry: { attempts: 12, backoffMs: 5000 },
      lockMs: 30_000,
      concurrency: 16,
      keepCompletedMs: 168 * 3600 * 1000,
      smtpPool: { maxConnections: 4, maxMessages: 1000 },
      smtpSendTimeoutMs: 120_000,
      workerMetricsPort: undefined,
    });
  });

  it('reads every setting from the environment', () => {
    const config = notificationsConfig({
      DATA_DIR: '/var/lib/ztkeys',
      REDIS_URL: 'redis://redis:6379',
      REDIS_KEY_PREFIX: 'ztkeys-staging',
      SMTP_URL: 'smtp://mail:587',
      EMAIL_FROM: 'Keys <keys@example.com>',
      EMAIL_QUEUE: 'mail',
      EMAIL_ATTEMPTS: '3',
      EMAIL_BACKOFF_MS: '250',
      EMAIL_LOCK_MS: '1000',
      EMAIL_WORKER_CONCURRENCY: '8',
      SMTP_MAX_CONNECTIONS: '2',
      SMTP_MAX_MESSAGES: '50',
      SMTP_SEND_TIMEOUT_MS: '5000',
      EMAIL_KEEP_COMPLETED_HOURS: '1',
      EMAIL_WORKER_METRICS_PORT: '9464',
    });
    expect(config).toMatchObject({
      dataDir: '/var/lib/ztkeys',
      redisUrl: 'redis://redis:6379',
      redisKeyPrefix: 'ztkeys-staging',
      smtpUrl: 'smtp://mail:587',
      retry: { attempts: 3, backoffMs: 250 },
      lockMs: 1000,
      concurrency: 8,
      smtpPool: { maxConnections: 2, maxMessages: 50 },
      smtpSendTimeoutMs: 5000,
      keepCompletedMs: 3600_000,
      workerMetricsPort: 9464,
    });
  });

  it('refuses a setting that is not a positive integer, naming it', () => {
    expect(() => notificationsConfig({ EMAIL_ATTEMPTS: '0' })).toThrow('EMAIL_ATTEMPTS must be a positive integer, got "0"');
    expect(() => notificationsConfig({ EMAIL_BACKOFF_MS: '1.5s' })).toThrow(/EMAIL_BACKOFF_MS/);
    expect(() => notificationsConfig({ EMAIL_WORKER_CONCURRENCY: '0' })).toThrow(/EMAIL_WORKER_CONCURRENCY/);
    expect(() => notificationsConfig({ SMTP_MAX_CONNECTIONS: 'four' })).toThrow(/SMTP_MAX_CONNECTIONS/);
  });
});
