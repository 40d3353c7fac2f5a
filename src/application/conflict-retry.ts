import { setTimeout as sleep } from 'node:timers/promises';
import { DomainRefusal } from '../domain/shared/refusal';
import { ConcurrencyConflict } from '../event-store/event-store.port';
import { BACKOFF, backoffDelay } from '../shared/backoff';

const ATTEMPTS = 8;

/**
 * Runs load-decide-append again when another command wrote the same stream first. Each attempt
 * decides on fresh state, so the invariant is held by the event store, not by luck. After the
 * last attempt the caller gets a 409 and nothing was written.
 * Each attempt gets the instant it began (`performance.now()`), for its loads' `freshSince`: they
 * hold every append acknowledged before then (the request's, and the one that moved a stream, for
 * a retry), and the store checks for other processes' commits once for all of them.
 */
export async function retryOnConflict<T>(attempt: (freshSince: number) => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(performance.now());
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      if (tries >= ATTEMPTS) {
        throw new DomainRefusal('CONFLICT', 'CONCURRENT_UPDATE', 'Too many concurrent changes to the same data; try again.');
      }
      await sleep(backoffDelay(tries - 1, BACKOFF.conflict));
    }
  }
}
