import { setTimeout as sleep } from 'node:timers/promises';
import { DomainRefusal } from '../domain/shared/refusal';
import { ConcurrencyConflict } from '../event-store/event-store.port';
import { BACKOFF, backoffDelay } from '../shared/backoff';
import { Turns } from '../shared/turns';

const ATTEMPTS = 8;

/** The retries of this process, one at a time on each stream that refused an append. */
const retries = new Turns();

/**
 * Runs load-decide-append again when another command wrote the same stream first. Each attempt
 * decides on fresh state, so the invariant is held by the event store, not by luck. After the
 * last attempt the caller gets a 409 and nothing was written.
 * A retry waits its turn behind this process's other retries on the stream that refused it: a
 * burst of commands on one stream (100 agents added to an org at once) would otherwise race again
 * at every round, one winning each, and spend every attempt; in line, each retry meets only first
 * attempts and other processes. The first attempt takes no turn, so commands on a calm stream
 * wait for nothing.
 * Each attempt gets the instant it began (`performance.now()`), for its loads' `freshSince`: they
 * hold every append acknowledged before then (the request's, and the one that moved a stream, for
 * a retry), and the store checks for other processes' commits once for all of them.
 */
export async function retryOnConflict<T>(attempt: (freshSince: number) => Promise<T>): Promise<T> {
  let refusedBy: string | undefined;
  for (let tries = 1; ; tries++) {
    try {
      return await (refusedBy === undefined ? attempt(performance.now()) : retries.run(refusedBy, () => attempt(performance.now())));
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      if (tries >= ATTEMPTS) {
        throw new DomainRefusal('CONFLICT', 'CONCURRENT_UPDATE', 'Too many concurrent changes to the same data; try again.');
      }
      refusedBy = error.stream;
      await sleep(backoffDelay(tries - 1, BACKOFF.conflict));
    }
  }
}
