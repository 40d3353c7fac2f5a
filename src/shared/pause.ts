import { setMaxListeners } from 'node:events';

/**
 * Waits `ms`, or less when the signal aborts: then it returns at once, without an error, and the
 * caller's loop looks at why it was woken (stopped, new work). Loops that sleep between polls or
 * retries wait on it, so that stopping or waking them never waits out a timer. Built on the global
 * setTimeout rather than node:timers/promises, which a fake clock (jest's) does not drive.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A wake-up call for sleepers: each `pause` on the current signal ends at the next `wake`; a
 * sleeper that starts after it waits for the one after.
 */
export class WakeUp {
  /** Made for the first sleeper after a wake: a wake with nobody asleep (a commit while the subscription reads) makes nothing. */
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    return (this.controller ??= sleepersSignal()).signal;
  }

  wake(): void {
    this.controller?.abort();
    this.controller = undefined;
  }
}

/** Any number of sleepers may wait on it at once (an email queue's workers): no listener-leak warning past 10. */
function sleepersSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
