import type { Backlog, EventStore } from './event-store.port';

const CAUGHT_UP: Backlog = { events: 0, oldestOccurredAt: undefined };

/**
 * What each reader of the log (a read model, the notifier) has left to read from its position
 * (undefined: none read yet) up to `head`, counted up to `cap`. Readers at the same position
 * (the read models of one runner mostly are) are counted once.
 */
export async function backlogs<K>(events: Pick<EventStore, 'backlog'>, head: bigint | undefined, positions: Iterable<readonly [K, bigint | undefined]>, cap: number): Promise<Map<K, Backlog>> {
  const measured = new Map<K, Backlog>();
  const byPosition = new Map<bigint | undefined, Backlog>();
  for (const [reader, at] of positions) {
    const caughtUp = head === undefined || (at !== undefined && at >= head);
    let backlog = caughtUp ? CAUGHT_UP : byPosition.get(at);
    if (!backlog) byPosition.set(at, (backlog = await events.backlog(at, cap)));
    measured.set(reader, backlog);
  }
  return measured;
}
