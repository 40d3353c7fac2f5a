import { Logger } from '@nestjs/common';
import { readinessChanges } from '../logging/readiness-changes';
import type { CheckOutcome, ReadinessCheck, ReadinessProbe } from '../shared/readiness';
import { within } from '../shared/within';

/** How long a check may take to answer: a store that hangs is down. */
export const PING_TIMEOUT_MS = 2000;

/**
 * The checks of this process, all at once, each within PING_TIMEOUT_MS. Its readiness changes are
 * logged here, where they happen: in a cluster, each worker logs its own, once, whichever asked.
 */
export class ProcessReadiness implements ReadinessProbe {
  private readonly logChange = readinessChanges(new Logger('Readiness'));

  constructor(private readonly checks: readonly ReadinessCheck[]) {}

  async probe(): Promise<CheckOutcome[]> {
    const outcomes = await Promise.all(this.checks.map((check) => this.outcome(check)));
    this.logChange(outcomes.flatMap(({ name, fault }) => (fault === undefined ? [] : [{ name, reason: fault }])));
    return outcomes;
  }

  private async outcome(check: ReadinessCheck): Promise<CheckOutcome> {
    // A check that knows why it is down (disk full, log behind a checkpoint, read models catching up) rejects with the reason.
    const fault = await within(check.ping(), PING_TIMEOUT_MS).then(
      (up) => (up ? undefined : 'does not answer'),
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    return fault === undefined ? { name: check.name } : { name: check.name, fault };
  }
}
