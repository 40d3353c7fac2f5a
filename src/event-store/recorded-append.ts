import type { AppendResult, ExpectedRevision, RecordedEvent, StreamWrite } from './event-store.port';

/** Where an earlier, identical write left its last event. */
export interface RecordedWrite {
  lastRevision: bigint;
  lastPosition: bigint;
}

/**
 * The revision a write's first event took if its expectation held, or undefined for 'any'
 * (its events could be anywhere in the stream).
 */
export function firstRevisionOf(expected: ExpectedRevision): bigint | undefined {
  if (expected === 'any') return undefined;
  return expected === 'no_stream' ? 0n : expected + 1n;
}

/**
 * The outcome of an earlier write of exactly these events (same ids, same order) at the place
 * its expectation names, given the events found there; undefined when other events are there.
 */
export function matchRecordedWrite(write: StreamWrite, found: RecordedEvent[]): RecordedWrite | undefined {
  if (found.length < write.events.length) return undefined;
  const same = write.events.every((event, i) => found[i].id === event.id && found[i].stream === write.stream);
  if (!same) return undefined;
  const last = found[write.events.length - 1];
  return { lastRevision: last.revision, lastPosition: last.position };
}

/** The result of an append from where each of its writes left its last event. */
export function toAppendResult(writes: readonly Pick<StreamWrite, 'stream'>[], outcomes: readonly RecordedWrite[]): AppendResult {
  const revisions = new Map<string, bigint>();
  let position = outcomes[0].lastPosition;
  outcomes.forEach((outcome, i) => {
    revisions.set(writes[i].stream, outcome.lastRevision);
    if (outcome.lastPosition > position) position = outcome.lastPosition;
  });
  return { position, revisions };
}
