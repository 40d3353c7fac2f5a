import { setTimeout as sleep } from 'node:timers/promises';
import { describeStall, type StalledAtEvent } from '../event-store/stalled-at-event';
import type { ReadinessCheck } from '../shared/readiness';
import { BACKOFF, backoffDelay } from '../shared/backoff';
import type { StartTransparency, TransparencyPart } from '../transparency/log-transparency';
import type { SelfCheckStatus } from '../transparency/self-check-status';

/**
 * The projector role's transparency work as the process sees it, wherever it runs (in the
 * process, or on a worker thread): what the check found (readiness and metrics, kept here so the
 * process serves them), the follower's position (its lag), and each failure. Work that ends on
 * its own (its thread died) is started again after a pause: the follower resumes from its
 * checkpoint, the check starts over. An event this release cannot read stalls the follower
 * there: readiness fails naming it until the work is started again (by a release that reads it).
 */
export class TransparencyRole {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private position: bigint | undefined;
  /** The event the running follower waits at, which this release cannot read. */
  private stall: StalledAtEvent | undefined;

  constructor(
    private readonly startTransparency: StartTransparency,
    private readonly status: SelfCheckStatus,
    private readonly onError: (part: TransparencyPart, error: unknown) => void,
    /** The follower began to wait at an event this release cannot read (said once per run of it). */
    private readonly onStalled?: (stall: StalledAtEvent) => void,
  ) {}

  get readiness(): ReadinessCheck[] {
    const follower: ReadinessCheck = {
      name: 'merkleFollower',
      ping: async () => {
        if (this.stall) throw new Error(describeStall('Merkle nodes follower', this.stall));
        return true;
      },
    };
    return [this.status.nodesReadiness, follower];
  }

  /** Whether the Merkle follower waits at an event this release cannot read. */
  get stalled(): boolean {
    return this.stall !== undefined;
  }

  /** Position of the last event the Merkle follower stored, undefined before any (its lag is a metric). */
  get followed(): bigint | undefined {
    return this.position;
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => this.onError('thread', error));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    for (let endings = 0; !this.stopping.signal.aborted; endings++) {
      const running = this.startTransparency({
        onChecked: (report) => this.status.checked(report),
        onFollowed: (position) => (this.position = position),
        onError: this.onError,
        onStalled: (stall) => {
          this.stall = stall;
          this.onStalled?.(stall);
        },
      });
      const outcome = await Promise.race([running.ended.then(() => 'ended' as const), stopped.then(() => 'stopped' as const)]);
      // Whoever runs it next says its own stall.
      this.stall = undefined;
      if (outcome === 'stopped') return running.stop();
      await sleep(backoffDelay(endings, BACKOFF.projection), undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }
}
