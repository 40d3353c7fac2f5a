import { decode } from '../domain/events/decode';
import type { RecordedEvent } from '../event-store/event-store.port';
import { eventLeafInput } from './event-leaf';
import { openOrgCheckpoint, type LogKeyring } from './log-keyring';
import { CompactRange, leafHash, type Hash } from './merkle-tree';

/** The first thing wrong with one org's stored log. */
export interface LogFault {
  orgId: string;
  /** Index in the org's tree (its events, checkpoints not counted) of the first event found wrong, or of the first one no checkpoint vouches for when a root differs. */
  index: number;
  reason: string;
}

interface OrgCheck {
  /** The tree at the size of the last checkpoint that verified. */
  verified: CompactRange;
  /** Leaf hashes after it, in log order. */
  pending: Hash[];
  fault?: LogFault;
}

/**
 * Re-derives every org's tree from the stored log, event by event in log order, and checks it
 * against the org's signed checkpoints: each checkpoint's signature under a log key (the current
 * one or an earlier one the operator lists), its
 * origin, and its root against the tree of the events before it at its size. Every stream's
 * revisions must also follow each other (0, 1, 2...) in log order, which names the exact event
 * when one was removed, inserted or moved inside its stream. Keeps the first fault of each org.
 * Memory: the right edge of each tree plus the leaf hashes since its last checkpoint.
 */
export class LogIntegrityCheck {
  private readonly orgs = new Map<string, OrgCheck>();
  private readonly revisions = new Map<string, bigint>();

  constructor(private readonly keys: LogKeyring) {}

  apply(record: RecordedEvent): void {
    const org = this.org(record.metadata.orgId);
    if (org.fault) return;
    const index = org.verified.size + org.pending.length;
    const fail = (at: number, reason: string): void => {
      org.fault = { orgId: record.metadata.orgId, index: at, reason };
    };
    const previous = this.revisions.get(record.stream);
    this.revisions.set(record.stream, record.revision);
    const expected = previous === undefined ? 0n : previous + 1n;
    if (record.revision !== expected) {
      const after = previous === undefined ? 'its start' : `revision ${previous}`;
      return fail(index, `stream ${record.stream} goes from ${after} to revision ${record.revision} at position ${record.position}: an event was removed, inserted or reordered`);
    }
    let event;
    try {
      event = decode(record);
    } catch (error) {
      return fail(index, `the event at position ${record.position} does not decode: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (event.type !== 'CheckpointSigned') {
      org.pending.push(leafHash(eventLeafInput(event)));
      return;
    }
    const what = `checkpoint ${record.revision} (position ${record.position})`;
    let signed;
    try {
      signed = openOrgCheckpoint(event.data.note, this.keys, event.metadata.orgId);
    } catch (error) {
      return fail(index, `${what} does not verify under the log key: ${error instanceof Error ? error.message : String(error)}`);
    }
    const from = org.verified.size;
    if (signed.size !== event.data.size) return fail(index, `${what} says size ${event.data.size} but its note signs ${signed.size}`);
    if (signed.size < from) return fail(from, `${what} signs ${signed.size} events, fewer than the ${from} an earlier checkpoint signed`);
    if (signed.size > index) return fail(index, `${what} signs ${signed.size} events but the log holds ${index} before it: an event was removed`);
    for (const leaf of org.pending.splice(0, signed.size - from)) org.verified.append(leaf);
    if (!org.verified.root().equals(signed.rootHash)) {
      fail(from, `events ${from} to ${signed.size - 1} do not hash to the root signed by ${what}: one of them was altered, removed, inserted or reordered`);
    }
  }

  /** Each org without a fault that has a checkpoint: the size and root its latest checkpoint signed, as the log re-derives them. */
  signedTrees(): Array<{ orgId: string; size: number; root: Hash }> {
    return [...this.orgs].flatMap(([orgId, org]) => (org.fault || org.verified.size === 0 ? [] : [{ orgId, size: org.verified.size, root: org.verified.root() }]));
  }

  /** The first fault of each org that has one. */
  faults(): LogFault[] {
    return [...this.orgs.values()].flatMap((org) => (org.fault ? [org.fault] : []));
  }

  private org(orgId: string): OrgCheck {
    let org = this.orgs.get(orgId);
    if (!org) this.orgs.set(orgId, (org = { verified: CompactRange.empty(), pending: [] }));
    return org;
  }
}
