import { CLOCK_SKEW_TOLERANCE_MS } from '../domain/shared/signed-proof';
import { LogViolation } from './replay/log-violation';

/**
 * What bounds an event's time (occurredAt). The server writes it, and a leaf signs it as written:
 * whoever holds the log key and the database could append an event dated as they please (a
 * break-glass recovery dated 72 h back, so that it seems to have waited its delay) and sign the
 * checkpoints anew. Two facts of the honest log bound it, each within the clock skew the product
 * allows between its instances:
 *
 * - within a stream, time never goes back: the writer dates an event no earlier than its stream's
 *   last one (recordedAt, event-writer.ts), and the append's expected revision keeps it so;
 * - a checkpoint signed at T covers only events the log held by then, so dated no later than T,
 *   and every event after its size was appended after it was signed (the checkpointer signs no
 *   checkpoint while the log holds an event it has not read dated more than the signing margin
 *   before T), so dated no earlier than T. A checkpoint line of the export proves neither against
 *   the log key's holder, who may drop it or sign it anew (rule 3 of the verifier); the checkpoint
 *   the auditor kept from an earlier look (`--trusted-checkpoint`, cosigned by witnesses when they
 *   require them) cannot be, so back-dating is bounded by it: to the time since that look.
 */

const skew = (): string => `the ${CLOCK_SKEW_TOLERANCE_MS / 60_000}-minute clock skew`;

/** The time of the previous event of the stream (ms), undefined for its first: refused when `occurredAt` goes back from it. */
export function checkStreamTime(stream: string, previousAt: number | undefined, occurredAt: string): number {
  const at = Date.parse(occurredAt);
  if (previousAt !== undefined && at < previousAt - CLOCK_SKEW_TOLERANCE_MS) {
    throw new LogViolation(
      `the event is dated ${occurredAt}, before ${new Date(previousAt).toISOString()}, the time of the previous event of stream ${stream}: time never goes back within a stream (by more than ${skew()})`,
    );
  }
  return previousAt === undefined ? at : Math.max(previousAt, at);
}

/** A checkpoint the auditor kept: its size and signed time. */
export interface TimeAnchor {
  size: number;
  at: Date;
}

/** An event after the anchor's size was appended after it was signed: refused when dated before it. */
export function checkAfterAnchor(anchor: TimeAnchor, occurredAt: string): void {
  if (Date.parse(occurredAt) < anchor.at.getTime() - CLOCK_SKEW_TOLERANCE_MS) {
    throw new LogViolation(
      `the event is dated ${occurredAt}, before the trusted checkpoint of size ${anchor.size} was signed at ${anchor.at.toISOString()} (beyond ${skew()}), yet it comes after the events that checkpoint covers: it was appended after it and dated back`,
    );
  }
}

/** The latest time of the events the anchor covers (their prefix is the anchor's): refused when after it was signed. */
export function checkCoveredByAnchor(anchor: TimeAnchor, latest: { at: number; index: number } | undefined): void {
  if (latest !== undefined && latest.at > anchor.at.getTime() + CLOCK_SKEW_TOLERANCE_MS) {
    throw new LogViolation(
      `the event at index ${latest.index} is dated ${new Date(latest.at).toISOString()}, after the trusted checkpoint of size ${anchor.size} that covers it was signed at ${anchor.at.toISOString()} (beyond ${skew()}): the log held it by then, so it is dated forward`,
    );
  }
}
