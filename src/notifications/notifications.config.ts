import type { RetryPolicy } from './queue/email-queue.port';

/** Email settings, from the environment (README lists them). */
export interface NotificationsConfig {
  /** DATA_DIR: the embedded queue (email.sqlite) and the outbox folder live here. */
  dataDir: string;
  /** REDIS_URL: BullMQ on this Redis replaces the embedded queue. */
  redisUrl?: string;
  /** SMTP_URL: this SMTP server replaces the `.eml` outbox. */
  smtpUrl?: string;
  /** EMAIL_FROM: sender; its domain also ends every Message-ID. */
  from: string;
  /** EMAIL_QUEUE: BullMQ queue name. */
  queueName: string;
  /** EMAIL_ATTEMPTS, EMAIL_BACKOFF_MS: attempt n+1 waits EMAIL_BACKOFF_MS * 2^(n-1) after attempt n failed. */
  retry: RetryPolicy;
  /** EMAIL_LOCK_MS: a job of a worker that died goes back to the queue after this long. */
  lockMs: number;
  /** EMAIL_WORKER_CONCURRENCY: emails one worker sends at once. */
  concurrency: number;
  /** EMAIL_KEEP_COMPLETED_HOURS: how long delivered jobs are kept (a replayed event within it enqueues nothing). */
  keepCompletedMs: number;
  /** EMAIL_WORKER_METRICS_PORT: when set, `npm run worker` serves /metrics, /health/live and /health/ready there. */
  workerMetricsPort?: number;
}

export function notificationsConfig(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  return {
    dataDir: env.DATA_DIR || './data',
    redisUrl: optional(env.REDIS_URL),
    smtpUrl: optional(env.SMTP_URL),
    from: env.EMAIL_FROM || 'ztkeys <no-reply@localhost>',
    queueName: env.EMAIL_QUEUE || 'ztkeys-email',
    retry: {
      attempts: positiveInteger(env, 'EMAIL_ATTEMPTS', 12),
      backoffMs: positiveInteger(env, 'EMAIL_BACKOFF_MS', 5000),
    },
    lockMs: positiveInteger(env, 'EMAIL_LOCK_MS', 30_000),
    concurrency: positiveInteger(env, 'EMAIL_WORKER_CONCURRENCY', 4),
    keepCompletedMs: positiveInteger(env, 'EMAIL_KEEP_COMPLETED_HOURS', 168) * 3600 * 1000,
    workerMetricsPort: env.EMAIL_WORKER_METRICS_PORT ? positiveInteger(env, 'EMAIL_WORKER_METRICS_PORT', 0) : undefined,
  };
}

const optional = (value: string | undefined): string | undefined => (value ? value : undefined);

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}
