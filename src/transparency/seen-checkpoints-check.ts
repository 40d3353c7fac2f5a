import { sha256 } from '../crypto/crypto-primitives';
import { checkpointStream } from '../domain/streams';
import type { RecordedEvent } from '../event-store/event-store.port';
import type { LogFault } from './log-integrity';
import type { Hash } from './merkle-tree';
import type { SeenCheckpoint } from './node-store/merkle-node-store.port';

/** What a seen checkpoint keeps of its record's signed note (a CheckpointSigned's `data.note`). */
export const noteHash = (note: string): Hash => sha256(Buffer.from(note, 'utf8'));

/**
 * The checkpoints the node store saw in the log, met again as the check reads it (R16): each must
 * be at its revision of its org's checkpoint stream and at its position, still the CheckpointSigned
 * of that note. The log's own check
 * cannot see an org's checkpoints deleted, every one or the latest ones (the stream's revisions
 * still follow each other): an event altered under them would then pass, the nodes rebuilt from
 * the altered log, the checkpointer signing it anew. No log key is needed for that, only the
 * log's file; the node store is another file, which keeps what it saw through a rebuild.
 *
 * Only those at or before the last position read are due: the follower may have seen later ones
 * since the check read the log.
 */
export class SeenCheckpointsCheck {
  /** By checkpoint stream: those not met yet. */
  private readonly waiting: Map<string, SeenCheckpoint>;
  /** Seen checkpoints whose revision the log holds at another position, or holds another record. */
  private readonly replaced: Array<{ seen: SeenCheckpoint; record: RecordedEvent }> = [];
  private end: bigint | undefined;

  constructor(seen: readonly SeenCheckpoint[]) {
    this.waiting = new Map(seen.map((checkpoint) => [checkpointStream(checkpoint.orgId), checkpoint]));
  }

  apply(record: RecordedEvent): void {
    this.end = record.position;
    const seen = this.waiting.get(record.stream);
    if (seen === undefined || record.revision !== seen.revision) return;
    this.waiting.delete(record.stream);
    if (record.position !== seen.position || !isTheCheckpoint(record, seen)) this.replaced.push({ seen, record });
  }

  /**
   * The first fault of each org whose seen checkpoint the log no longer holds; `vouched`: how many
   * of the org's events its checkpoints still in the log sign (where its log is not vouched for).
   */
  faults(vouched: (orgId: string) => number): LogFault[] {
    const fault = ({ orgId }: SeenCheckpoint, reason: string): LogFault => ({ orgId, index: vouched(orgId), reason });
    const moved = this.replaced.map(({ seen, record }) =>
      record.position !== seen.position
        ? fault(seen, `checkpoint ${seen.revision} of the org is at position ${record.position} of the log, not at position ${seen.position} where this server applied it: its checkpoints were deleted and others appended`)
        : fault(seen, `checkpoint ${seen.revision} of the org (position ${seen.position}) is no longer the one this server applied: the record there was rewritten`),
    );
    const gone = [...this.waiting.values()].filter(({ position }) => this.end !== undefined && position <= this.end);
    return [
      ...moved,
      ...gone.map((seen) => fault(seen, `checkpoint ${seen.revision} of the org (position ${seen.position}), which this server applied, is gone from the log: its checkpoints were deleted, so the events they signed cannot be checked`)),
    ];
  }
}

/** The record is the checkpoint seen: a CheckpointSigned (of any version: a newer one is the check's to name) of the same note. */
function isTheCheckpoint(record: RecordedEvent, seen: SeenCheckpoint): boolean {
  const note = (record.data as { note?: unknown } | null)?.note;
  return record.type === 'CheckpointSigned' && typeof note === 'string' && noteHash(note).equals(seen.noteHash);
}
