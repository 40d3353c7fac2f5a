import { randomUUID } from 'node:crypto';
import type { HeldLease, Lease } from './lease.port';

/**
 * The lease on one machine, where every role runs in one process: a queue of contenders inside
 * that process. Nothing can take it from the holder, so `lost` settles only on release.
 */
export class InProcessLease implements Lease {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  acquire(signal?: AbortSignal): Promise<HeldLease> {
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const grant = (): void => {
        signal?.removeEventListener('abort', abort);
        this.held = true;
        resolve(this.grant());
      };
      const abort = (): void => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      if (this.held) this.waiting.push(grant);
      else grant();
    });
  }

  private grant(): HeldLease {
    let releaseLost!: () => void;
    const lost = new Promise<void>((resolve) => (releaseLost = resolve));
    let released = false;
    return {
      owner: randomUUID(),
      lost,
      release: async () => {
        if (released) return;
        released = true;
        releaseLost();
        this.held = false;
        this.waiting.shift()?.();
      },
    };
  }
}
