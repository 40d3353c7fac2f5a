import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadinessCheck } from '../shared/readiness';
import { BACKOFF, backoffDelay } from '../shared/backoff';
import type { StartTransparency, TransparencyPart } from '../transparency/log-transparency';
import type { SelfCheckStatus } from '../transparency/self-check-status';

/**
 * The projector role's transparency work as the process sees it, wherever it runs (in the
 * process, or on a worker thread): what the check found (readiness and metrics, kept here so the
 * process serves them), the follower's position (its lag), and each failure. Work that ends on
 * its own (its thread died) is started again after a pause: the follower resumes from its
 * checkpoint, the check starts over.
 */
export class TransparencyRole {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private position: bigint | undefined;

  constructor(
    private readonly startTransparency: StartTransparency,
    private readonly status: SelfCheckStatus,
    private readonly onError: (part: TransparencyPart, error: unknown) => void,
  ) {}

  get readiness(): ReadinessCheck[] {
    return [this.status.nodesReadiness];
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
      });
      const outcome = await Promise.race([running.ended.then(() => 'ended' as const), stopped.then(() => 'stopped' as const)]);
      if (outcome === 'stopped') return running.stop();
      await sleep(backoffDelay(endings, BACKOFF.projection), undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }
}
