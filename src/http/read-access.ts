import { Inject, Injectable } from '@nestjs/common';
import type { ReadModelName } from '../../projections/projection';
import { Directory } from '../application/directory';
import { ReadQueries } from '../application/queries/read-queries';
import type { OrganizationState } from '../domain/organization/organization.state';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { refuse } from '../domain/shared/refusal';
import type { Role } from '../domain/shared/roles';
import { problem } from './problem';
import { HttpProblem } from './problem.filter';
import { LOG_POSITION } from '../shared/log-position';

/**
 * What every read endpoint checks first: the caller's role in the directory (R1: an AUDITOR
 * reads, a MEMBER gets 403), then read-your-writes: with `X-Min-Position` the read waits until
 * the read model has applied that position, and answers 503 + Retry-After rather than stale data.
 * A position past the end of the log is no position a command answered: 400 at once, where
 * waiting for it would end in a 503 that retrying never cures.
 */
@Injectable()
export class ReadAccess {
  constructor(
    private readonly directory: Directory,
    private readonly queries: ReadQueries,
    @Inject(EVENT_STORE) private readonly store: Pick<EventStore, 'headPosition'>,
  ) {}

  /**
   * Returns the org's directory as the check read it. `wholeLog`: the read answers about an
   * instant already past (as-of), or is the whole log (the export), so the model must hold the log
   * as it stood when asked, with or without `X-Min-Position`: behind it, the answer is wrong, not
   * merely stale (a key revoked before the instant shown ACTIVE at it; an export lacking the log's
   * tail), so it waits and answers 503 as for a position.
   */
  async check(orgId: string, agentId: string, roles: readonly Role[], model: ReadModelName, minPosition: unknown, waitMs: number, wholeLog = false): Promise<OrganizationState> {
    const { org, actor } = await this.directory.actor(orgId, agentId);
    if (!roles.includes(actor.role)) refuse('FORBIDDEN', 'NOT_ALLOWED', `This read is for ${roles.join(', ')}; you are ${actor.role}.`);
    if (minPosition !== undefined) await this.reach(model, minPositionOf(minPosition), waitMs);
    const head = wholeLog ? await this.store.headPosition() : undefined;
    if (head !== undefined) await this.reach(model, head, waitMs);
    return org.state;
  }

  private async reach(model: ReadModelName, position: bigint, waitMs: number): Promise<void> {
    if (await this.queries.reached(model, position, 0)) return;
    const head = (await this.store.headPosition()) ?? 0n;
    if (position > head) {
      throw new HttpProblem(
        problem(400, 'INVALID_MIN_POSITION', `X-Min-Position ${position} is past the end of the log (position ${head}): no command answered it. Send the position a command response gave.`),
      );
    }
    if (!(await this.queries.reached(model, position, waitMs))) {
      throw new HttpProblem(problem(503, 'READ_MODEL_BEHIND', `The ${model} read model has not reached position ${position} yet; retry shortly.`), { 'retry-after': '1' });
    }
  }
}

function minPositionOf(minPosition: unknown): bigint {
  // 20 digits reach past 2^64, past the end of any log: reach() says so as of any other such position.
  if (typeof minPosition !== 'string' || !LOG_POSITION.test(minPosition)) {
    throw new HttpProblem(problem(400, 'INVALID_MIN_POSITION', 'X-Min-Position must be a position from a command response (a decimal integer).'));
  }
  return BigInt(minPosition);
}
