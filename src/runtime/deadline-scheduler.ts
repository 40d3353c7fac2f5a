import { setTimeout as sleep } from 'node:timers/promises';
import type { EnforceRecoveries } from '../application/use-cases/enforce-recoveries';
import type { EnforceRequestDeadlines, PendingCandidate } from '../application/use-cases/enforce-request-deadlines';
import type { RequestDeadlines } from '../domain/signature-key/key.commands';
import { hoursToMs } from '../domain/organization/org-policy';
import { ORG_POLICY_FIELDS } from '../domain/organization/org-policy.schema';
import type { Lease } from '../leases/lease.port';
import type { ReadModelStore } from '../read-models/read-model-store.port';

export interface DeadlineSchedulerOptions {
  /** Pause between two passes. */
  intervalMs: number;
  /** The scheduler's only source of time: the commands it issues carry it. */
  clock?: () => Date;
  /** A pass that failed (a store down); the next pass tries again. */
  onError?: (error: unknown) => void;
}

/** No policy reminds or expires sooner after a request than this: younger requests are not looked at. */
const SHORTEST_DEADLINE_MS = hoursToMs(Math.min(ORG_POLICY_FIELDS.reminderAfterHours.minValue ?? 1, ORG_POLICY_FIELDS.pendingRequestExpiryHours.minValue ?? 1));

/** What the scheduler has enforced: request deadlines, and break-glass recoveries' lapses, reminders and completions. */
export interface DeadlineEnforcers {
  requests: EnforceRequestDeadlines;
  recoveries: EnforceRecoveries;
}

/**
 * R20's time-driven rules without cron: while this process holds the lease, every `intervalMs`
 * it reads the PENDING requests old enough for a deadline to have passed (pending-keys read
 * model) and has each enforced through the key decider, then every running recovery
 * (recoveries read model: at most one per org), each lapsed (its agent no longer a SUPER_ADMIN,
 * or its claim window after effectiveAt ended unclaimed), reminded or completed through the
 * recovery decider; a completion refused because the agent has no PENDING request yet is tried
 * again on the next pass, until the claim window ends. Nothing is kept between passes: a
 * restarted or newly elected scheduler finds what is due in the log and read model. The lease
 * keeps one copy at work; should two overlap (a lease handed over mid-pass), the streams'
 * expected revisions still record each expiry and reminder once.
 */
export class DeadlineScheduler {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly clock: () => Date;

  constructor(
    private readonly readModels: Pick<ReadModelStore, 'find'>,
    private readonly enforcers: DeadlineEnforcers,
    private readonly lease: Lease,
    private readonly options: DeadlineSchedulerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      if (!this.stopping.signal.aborted) this.options.onError?.(error);
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('deadline scheduler stopping'));
    await this.loop;
  }

  /**
   * One pass; how many requests it expired or reminded, and recoveries it lapsed, reminded of or
   * completed. Each is decided at the clock's time when its turn comes, not the pass's start: a
   * pass over many may last long, and a decision dated long before it reaches the log would come
   * after checkpoints signed meanwhile, whose time bounds every event after them (event-times.ts).
   */
  async pass(): Promise<number> {
    const now = this.clock();
    const due = await this.readModels.find({
      collection: 'pending_keys',
      conditions: [{ field: 'requestedAt', op: 'lte', value: new Date(now.getTime() - SHORTEST_DEADLINE_MS).toISOString() }],
      orderBy: 'requestedAt',
    });
    let acted = 0;
    // The org policies this pass read: each org's once, however many of its requests are pending.
    const policies = new Map<string, Promise<RequestDeadlines>>();
    for (const request of due) {
      const candidate: PendingCandidate = {
        orgId: request.orgId as string,
        agentId: request.agentId as string,
        requestId: request.requestId as string,
        challengeExpiresAt: request.challengeExpiresAt as string | undefined,
        remindedAt: request.remindedAt as string | null | undefined,
      };
      try {
        if (!(await this.enforcers.requests.mayBeDue(candidate, this.clock(), policies))) continue;
        if (await this.enforcers.requests.run(candidate, this.clock())) acted++;
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    // Every running one, not only those whose reminder is due: a recovery whose agent was demoted lapses at once.
    const recoveries = await this.readModels.find({ collection: 'recoveries', conditions: [{ field: 'status', op: 'eq', value: 'RUNNING' }], orderBy: 'remindAt' });
    for (const recovery of recoveries) {
      try {
        if (await this.enforcers.recoveries.run({ orgId: recovery.orgId as string, recoveryId: recovery.recoveryId as string }, this.clock())) acted++;
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    return acted;
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      const held = await this.lease.acquire(signal);
      const lost = new AbortController();
      void held.lost.then(() => lost.abort());
      try {
        while (!signal.aborted && !lost.signal.aborted) {
          await this.pass().catch((error: unknown) => this.options.onError?.(error));
          await sleep(this.options.intervalMs, undefined, { signal: AbortSignal.any([signal, lost.signal]) }).catch(() => undefined);
        }
      } finally {
        await held.release();
      }
    }
  }
}
