import type { EmailJob } from './email-job';
import type { EmailJobHandler } from './queue/email-queue.port';
import type { Mailer } from './mail/mailer.port';
import type { EmailDeliveryMetrics } from './email-metrics';
import { renderEmail } from './email-content';

/** A failed attempt to send a job's email: attempt `attempt` of `attempts` (EMAIL_ATTEMPTS). */
export interface FailedAttempt {
  job: EmailJob;
  attempt: number;
  attempts: number;
  error: unknown;
}

export interface EmailDeliveryDeps {
  mailer: Mailer;
  from: string;
  /** EMAIL_ATTEMPTS: the attempt of that number is the last one. */
  attempts: number;
  metrics: EmailDeliveryMetrics;
  /** Told of each failed attempt (the queue retries it unless it was the last), e.g. to log it. */
  onAttemptFailed?: (failure: FailedAttempt) => void;
}

/** The job handler of every worker: write the email, hand it to the mailer, count it. */
export function emailDelivery(deps: EmailDeliveryDeps): EmailJobHandler {
  return async (job, attempt) => {
    try {
      await deps.mailer.send(renderEmail(job, deps.from, new Date()));
    } catch (error) {
      deps.metrics.attemptFailed(job);
      deps.onAttemptFailed?.({ job, attempt, attempts: deps.attempts, error });
      throw error;
    }
    deps.metrics.delivered(job, new Date());
  };
}

/**
 * The log line of a failed attempt, the same from the server and from `npm run worker`: a warning
 * while the queue will try again, an error once no attempt is left and the job stays failed. `err`
 * holds the mailer's error, with the SMTP server's answer (responseCode, response, command).
 */
export function failedAttemptLog({ job, attempt, attempts, error }: FailedAttempt): {
  level: 'warn' | 'error';
  fields: { jobId: string; kind: EmailJob['kind']; attempt: number; attempts: number; err: unknown };
  msg: string;
} {
  const last = attempt >= attempts;
  return {
    level: last ? 'error' : 'warn',
    fields: { jobId: job.id, kind: job.kind, attempt, attempts, err: error },
    msg: `email attempt ${attempt} of ${attempts} failed; ${last ? 'none left: the job is kept in the failed jobs' : 'it will be retried'}`,
  };
}
