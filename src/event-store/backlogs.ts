import type { Backlog, EventStore } from './event-store.port';
import { PositionNotInLog } from './position-not-in-log';

const CAUGHT_UP: Backlog = { events: 0, oldestOccurredAt: undefined };

/**
 * What each reader of the log (a read model, the notifier) has left to read from its position
 * (undefined: none read yet) up to `head`, counted up to `cap`. Readers at the same position
 * (the read models of one runner mostly are) are counted once. A reader at a position the store
 * refuses to read from (PositionNotInLog: a checkpoint of another copy of the log, which its
 * consumer names and rebuilds from) is left out: it has nothing of this log to count from, and
 * the others are still measured.
 */
export async function backlogs<K>(events: Pick<EventStore, 'backlog'>, head: bigint | undefined, positions: Iterable<readonly [K, bigint | undefined]>, cap: number): Promise<Map<K, Backlog>> {
  const measured = new Map<K, Backlog>();
  const byPosition = new Map<bigint | undefined, Backlog | undefined>();
  for (const [reader, at] of positions) {
    const caughtUp = head === undefined || (at !== undefined && at >= head);
    let backlog = caughtUp ? CAUGHT_UP : byPosition.get(at);
    if (!backlog && !byPosition.has(at)) byPosition.set(at, (backlog = await events.backlog(at, cap).catch(notInLog)));
    if (backlog) measured.set(reader, backlog);
  }
  return measured;
}

function notInLog(error: unknown): undefined {
  if (error instanceof PositionNotInLog) return undefined;
  throw error;
}
