import type { AllStreamResolvedEvent, RecordedEvent as KurrentRecordedEvent } from '@kurrent/kurrentdb-client';
import { isSystemEvent } from './kurrentdb-event-mapping';
import { isAfter, toPortPosition } from './kurrentdb-positions';

/** One read of $all: at most `maxCount` entries from `from` (inclusive; undefined = the start), in log order. */
export type ReadAllEntries = (from: bigint | undefined, maxCount: number) => AsyncIterable<AllStreamResolvedEvent>;

/**
 * Up to `limit` ztkeys events after `after` (exclusive), in log order: fewer only where the log
 * ends. A short page is the log's end to its readers (the self-check stops there), but the entries
 * left out here count in the server's maxCount: the event at `after` (a read starts at it) and a
 * `$` stream's event of a plain type (the server's filter leaves out `$` types only). So the read
 * goes on after the last entry it got until the page is full or the server had no more.
 */
export async function* userEventsAfter(read: ReadAllEntries, after: bigint | undefined, limit: number): AsyncGenerator<KurrentRecordedEvent> {
  let from = after;
  let wanted = limit;
  for (;;) {
    // The read starts AT `from`: one more than wanted leaves a full page after it.
    const maxCount = wanted + 1;
    const start = from;
    let entries = 0;
    for await (const { event } of read(start, maxCount)) {
      entries++;
      if (!event) continue;
      const position = toPortPosition(event.position, event.id);
      if (!isAfter(position, start)) continue;
      from = position;
      if (isSystemEvent(event)) continue;
      yield event;
      if (--wanted === 0) return;
    }
    // The server had no more, or gave nothing to read on from.
    if (entries < maxCount || from === start) return;
  }
}
