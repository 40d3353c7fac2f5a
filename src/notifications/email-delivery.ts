import type { EmailJob } from './email-job';
import type { EmailJobHandler } from './queue/email-queue.port';
import type { Mailer } from './mail/mailer.port';
import type { EmailDeliveryMetrics } from './email-metrics';
import { renderEmail } from './email-content';

export interface EmailDeliveryDeps {
  mailer: Mailer;
  from: string;
  metrics: EmailDeliveryMetrics;
  /** Told of each failed attempt (the queue retries it), e.g. to log it. */
  onAttemptFailed?: (job: EmailJob, attempt: number, error: unknown) => void;
}

/** The job handler of every worker: write the email, hand it to the mailer, count it. */
export function emailDelivery(deps: EmailDeliveryDeps): EmailJobHandler {
  return async (job, attempt) => {
    try {
      await deps.mailer.send(renderEmail(job, deps.from, new Date()));
    } catch (error) {
      deps.metrics.attemptFailed(job);
      deps.onAttemptFailed?.(job, attempt, error);
      throw error;
    }
    deps.metrics.delivered(job, new Date());
  };
}
