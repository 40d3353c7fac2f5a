import { decodeOrAsStored } from '../domain/events/decode';
import { isCanonicalTime } from '../event-store/event-time';
import type { LogEvent } from '../domain/events/event-catalogue';
import type { RecordedEvent } from '../event-store/event-store.port';
import { eventLeafInput } from './event-leaf';
import { checkpointStream } from '../domain/streams';
import { openOrgCheckpoint, retiredKeyFault, type LogKeyring } from './log-keyring';
import type { NoteVerifier } from './signed-note';
import { CompactRange, EMPTY_ROOT, leafHash, type Hash, type StoredNode } from './merkle-tree';
import { STREAM_EVENTS, streamOf, type StreamOf } from './verifier/log-streams';

/** The first thing wrong with one org's stored log. */
export interface LogFault {
  orgId: string;
  /** Index in the org's tree (its events, checkpoints not counted) of the first event found wrong, or of the first one no checkpoint vouches for when a root differs. */
  index: number;
  reason: string;
}

/**
 * The events of an org's log a newer release wrote (a rolling upgrade under way, or this release
 * started again on a log a newer one wrote to): no fault, each hashed as stored, but read by none
 * of this release's deciders. The first, and how many.
 */
export interface NewerEvents {
  orgId: string;
  /** Index in the org's tree the first takes (for a checkpoint: the events before it). */
  index: number;
  position: bigint;
  type: string;
  schemaVersion: number;
  count: number;
  /**
   * The first record of the org's checkpoint stream this release cannot read, if any. It vouches
   * for nothing here, so the org's log is not checked past the last checkpoint read: an event
   * altered under it would go unseen (its version is no part of what the log key signs). The
   * write side refuses the org's writes and the checkpointer signs none of it meanwhile.
   */
  checkpoint?: { position: bigint; type: string; schemaVersion: number };
}

/**
 * Whether a record is one of its org's checkpoints, no leaf of its tree: one this release reads by
 * its type, one a newer release wrote by its stream (whatever type or version it is given there:
 * a checkpoint relabelled so must not become a leaf).
 */
const isCheckpoint = (record: RecordedEvent, newer: boolean): boolean => (newer ? record.stream === checkpointStream(record.metadata.orgId) : record.type === 'CheckpointSigned');

/** Where the record's stream belongs, or why its name is no stream of the log. */
function streamOrFault(record: RecordedEvent): StreamOf | string {
  try {
    return streamOf(record.stream);
  } catch (error) {
    return `the event at position ${record.position}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Why a record of a stream of the log is out of place, if it is: it names another org, stores its
 * revision or schema version as no integer (SQLite keeps text such as "0x5" in an INTEGER column,
 * and orders the stream's records otherwise than their numbers do), or its time in another form
 * than toISOString's (the leaf reads any form Date parses to the same instant, the write side
 * compares the text: "Mon Dec 07 ..." sorted after every time and froze the stream's clock).
 */
function outOfPlace(record: RecordedEvent, stream: StreamOf): string | undefined {
  const at = `the event at position ${record.position}`;
  if (stream.orgId !== record.metadata.orgId) return `${at} is in stream ${record.stream} of org ${stream.orgId} but says it is of org ${record.metadata.orgId}`;
  if (typeof (record.revision as unknown) !== 'bigint') return `${at} stores its revision as ${JSON.stringify(String(record.revision))}, no integer`;
  if (!Number.isSafeInteger(record.schemaVersion)) return `${at} stores its schema version as no integer`;
  // Its leaf hashes the time read as a Date; the write side and the embedded audit trail read the text.
  if (typeof record.metadata.occurredAt !== 'string' || !isCanonicalTime(record.metadata.occurredAt)) return `${at} stores its time as ${JSON.stringify(String(record.metadata.occurredAt))}, not as the log writes one`;
  return undefined;
}

const undecodable = (record: RecordedEvent, error: unknown): string =>
  `the event at position ${record.position} does not decode: ${error instanceof Error ? error.message : String(error)}`;

/** Leaf hashes after an org's tree edge kept in memory, by default: see LogIntegrityCheck. */
export const DEFAULT_PENDING_WINDOW = 10_000;

interface OrgCheck {
  orgId: string;
  /** Right edge of the org's tree over its first leaves: those the last accepted checkpoint signed, and older ones folded in when more than twice the window followed. */
  tree: CompactRange;
  /** Leaf hashes after `tree`, in log order: fewer than twice the window. */
  pending: Hash[];
  /** Size and root of the latest checkpoint accepted. */
  signed?: { size: number; root: Hash };
  /** The log key that signed it: a key retired since signs no later one. */
  signedBy?: NoteVerifier;
  fault?: LogFault;
}

/** A checkpoint signing fewer events than the org's tree edge had folded in: its root is checked on a second read of the log (or of the export, audit-verifier.ts). */
export interface DeferredRoot {
  orgId: string;
  size: number;
  root: Hash;
  /** Size of the checkpoint accepted before it: where a fault would start. */
  from: number;
  what: string;
}

/**
 * Re-derives every org's tree from the stored log, event by event in log order, and checks it
 * against the org's signed checkpoints: each checkpoint's signature under a log key (the current
 * one or an earlier one the operator lists), its
 * origin, and its root against the tree of the events before it at its size. Every stream's
 * revisions must also follow each other (0, 1, 2...) in log order, which names the exact event
 * when one was removed, inserted or moved inside its stream. Keeps the first fault of each org.
 *
 * Memory, whatever the log's length: the right edge of each tree (O(log n)), the last revision
 * of each stream, and at most twice `pendingWindow` leaf hashes per org after its edge. A
 * checkpoint signs the tree as it stood a moment before it was appended, so it lands a few leaves
 * (the appends of that moment) behind the log: up to `pendingWindow` behind, its root is checked
 * here. One further behind than the leaves kept (the checkpointer stalled under load, say) is
 * checked by `secondRead`: a second read of the log re-derives the roots it needs.
 */
export class LogIntegrityCheck {
  private readonly orgs = new Map<string, OrgCheck>();
  /** As numbers, not the store's bigints: a bigint is an object of its own, one a stream (a stream of 2^53 events cannot be written). */
  private readonly revisions = new Map<string, number>();
  private readonly deferred: DeferredRoot[] = [];
  private readonly newer = new Map<string, NewerEvents>();
  private rechecked: RootsAtSizes | undefined;

  /** Each org's tree nodes completed since they were last taken, when the caller compares them with stored ones (takeCompletedNodes). */
  private readonly completed: Map<string, StoredNode[]> | undefined;

  constructor(
    private readonly keys: LogKeyring,
    private readonly pendingWindow = DEFAULT_PENDING_WINDOW,
    options: { completedNodes?: boolean } = {},
  ) {
    if (options.completedNodes) this.completed = new Map();
  }

  apply(record: RecordedEvent): void {
    const stream = streamOrFault(record);
    if (typeof stream === 'string') return this.faultAtEdge(record.metadata.orgId, stream);
    const misplaced = outOfPlace(record, stream);
    // The stream's org is the one whose facts the record changes (the write side reads its streams by name).
    if (misplaced !== undefined) return this.faultAtEdge(stream.orgId, misplaced);
    const org = this.org(record.metadata.orgId);
    if (org.fault) return;
    const index = org.tree.size + org.pending.length;
    const fail = (at: number, reason: string): void => {
      org.fault = { orgId: record.metadata.orgId, index: at, reason };
    };
    const previous = this.revisions.get(record.stream);
    const revision = Number(record.revision);
    this.revisions.set(record.stream, revision);
    const expected = previous === undefined ? 0 : previous + 1;
    if (revision !== expected) {
      const after = previous === undefined ? 'its start' : `revision ${previous}`;
      return fail(index, `stream ${record.stream} goes from ${after} to revision ${record.revision} at position ${record.position}: an event was removed, inserted or reordered`);
    }
    let read;
    try {
      // Of the types its stream holds: one of the catalogue outside them is a record out of place, not a newer release's.
      read = decodeOrAsStored(record, stream.kind === 'unknown' ? {} : STREAM_EVENTS[stream.kind]);
    } catch (error) {
      return fail(index, undecodable(record, error));
    }
    const { event, newer } = read;
    if (newer) {
      const checkpoint = isCheckpoint(record, true);
      this.sawNewer(record, index, checkpoint);
      if (checkpoint) return;
    }
    if (newer || event.type !== 'CheckpointSigned') {
      org.pending.push(leafHash(eventLeafInput(event)));
      // Folded a window at a time: the window's worth after the edge stays, for the next checkpoint.
      if (org.pending.length >= 2 * this.pendingWindow) this.fold(org, org.pending.length - this.pendingWindow);
      return;
    }
    const what = checkpointName(record);
    const signed = openCheckpointEvent(event, this.keys);
    if (typeof signed === 'string') return fail(index, signed);
    const retired = org.signedBy && retiredKeyFault(this.keys, org.signedBy, signed.signedBy);
    if (retired) return fail(index, `${what} is not the log's: ${retired}`);
    const from = org.signed?.size ?? 0;
    if (signed.size < from) return fail(from, `${what} signs ${signed.size} events, fewer than the ${from} an earlier checkpoint signed`);
    if (signed.size > index) return fail(index, `${what} signs ${signed.size} events but the log holds ${index} before it: an event was removed`);
    const root = this.rootAt(org, signed.size);
    if (root === undefined) this.deferred.push({ orgId: record.metadata.orgId, size: signed.size, root: signed.rootHash, from, what });
    else if (!root.equals(signed.rootHash)) return fail(from, notTheRoot(from, signed.size, what));
    org.signed = { size: signed.size, root: signed.rootHash };
    org.signedBy = signed.signedBy;
  }

  /**
   * The check of the roots `apply` could not check in memory, undefined when there are none: feed
   * it the log again from its start, in order, until it is `done` or the log ends; its faults
   * then count among this check's.
   */
  secondRead(): RootsAtSizes | undefined {
    if (this.deferred.length === 0) return undefined;
    this.rechecked ??= new RootsAtSizes(this.deferred);
    return this.rechecked;
  }

  /**
   * Each org without a fault, once the log is read: the size and root its latest checkpoint
   * signed (none before its first), and its root at a size from that checkpoint's to the leaves
   * read, as the log re-derives it (undefined beyond, or below the edge when more than twice the
   * window of leaves followed the checkpoint); asked in increasing sizes, the edge moving forward.
   */
  trees(): Array<{ orgId: string; signed?: { size: number; root: Hash }; rootAt(size: number): Hash | undefined }> {
    const faulty = new Set(this.faults().map((fault) => fault.orgId));
    return [...this.orgs].flatMap(([orgId, org]) =>
      faulty.has(orgId) ? [] : [{ orgId, ...(org.signed && org.signed.size > 0 ? { signed: org.signed } : {}), rootAt: (size: number) => (size <= org.tree.size + org.pending.length ? this.rootAt(org, size) : undefined) }],
    );
  }

  /** Each org whose log holds events a newer release wrote (none of an org with a fault before the first). */
  newerEvents(): NewerEvents[] {
    return [...this.newer.values()];
  }

  private sawNewer(record: RecordedEvent, index: number, inCheckpoints: boolean): void {
    const { orgId } = record.metadata;
    const { position, type, schemaVersion } = record;
    let seen = this.newer.get(orgId);
    if (seen) seen.count += 1;
    else this.newer.set(orgId, (seen = { orgId, index, position, type, schemaVersion, count: 1 }));
    if (inCheckpoints) seen.checkpoint ??= { position, type, schemaVersion };
  }

  /** A fault of the org at its next leaf, unless it has one already. */
  private faultAtEdge(orgId: string, reason: string): void {
    const org = this.org(orgId);
    org.fault ??= { orgId, index: org.tree.size + org.pending.length, reason };
  }

  /** The first fault of each org that has one: a root found wrong on the second read came before anything `apply` found after it. */
  faults(): LogFault[] {
    const rechecked = new Map((this.rechecked?.faults() ?? []).map((fault) => [fault.orgId, fault]));
    const first = [...this.orgs.values()].flatMap((org) => (org.fault && !rechecked.has(org.fault.orgId) ? [org.fault] : []));
    return [...first, ...rechecked.values()];
  }

  /** The org's root at `size` (between its last checkpoint's and the leaves so far), its edge moved there; undefined when the edge has folded past it. */
  private rootAt(org: OrgCheck, size: number): Hash | undefined {
    if (size === 0) return EMPTY_ROOT;
    if (size < org.tree.size) return undefined;
    this.fold(org, size - org.tree.size);
    return org.tree.root();
  }

  private fold(org: OrgCheck, leaves: number): void {
    const kept = this.completed && (this.completed.get(org.orgId) ?? this.completed.set(org.orgId, []).get(org.orgId)!);
    for (const leaf of org.pending.splice(0, leaves)) {
      const nodes = org.tree.append(leaf);
      if (kept) for (const node of nodes) kept.push(node);
    }
  }

  /**
   * The nodes of each org's tree folded in since the last call (every node of its tree once, in
   * order, as the edge moves on; an org with a fault left out): asked for at construction
   * (`completedNodes`), for the caller to compare with the stored ones and drop.
   */
  takeCompletedNodes(): Map<string, StoredNode[]> {
    const taken = new Map<string, StoredNode[]>();
    for (const [orgId, nodes] of this.completed ?? []) if (nodes.length > 0 && !this.orgs.get(orgId)?.fault) taken.set(orgId, nodes);
    this.completed?.clear();
    return taken;
  }

  private org(orgId: string): OrgCheck {
    let org = this.orgs.get(orgId);
    if (!org) this.orgs.set(orgId, (org = { orgId, tree: CompactRange.empty(), pending: [] }));
    return org;
  }
}

const checkpointName = (record: Pick<RecordedEvent, 'revision' | 'position'>): string => `checkpoint ${record.revision} (position ${record.position})`;

/**
 * What a CheckpointSigned event of the log signs, its note verified under the keyring for its
 * org and its size the note's; else why not (a fault of the org's log): every check of a checkpoint reads it here.
 */
export function openCheckpointEvent(event: RecordedEvent<Extract<LogEvent, { type: 'CheckpointSigned' }>>, keys: LogKeyring): { size: number; rootHash: Hash; signedBy: NoteVerifier } | string {
  const what = checkpointName(event);
  let signed;
  try {
    signed = openOrgCheckpoint(event.data.note, keys, event.metadata.orgId);
  } catch (error) {
    return `${what} does not verify under the log key: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (signed.size !== event.data.size) return `${what} says size ${event.data.size} but its note signs ${signed.size}`;
  return signed;
}

const notTheRoot = (from: number, size: number, what: string): string =>
  `events ${from} to ${size - 1} do not hash to the root signed by ${what}: one of them was altered, removed, inserted or reordered`;

/**
 * The second read of the log for the deferred roots: each org's tree re-derived from its first
 * leaf (its right edge only), each deferred root compared when the tree reaches its size. Stops
 * needing events once every root is compared.
 */
export class RootsAtSizes {
  private readonly waiting = new Map<string, { tree: CompactRange; roots: DeferredRoot[] }>();
  private readonly found: LogFault[] = [];

  constructor(deferred: readonly DeferredRoot[]) {
    for (const root of deferred) {
      const org = this.waiting.get(root.orgId) ?? { tree: CompactRange.empty(), roots: [] };
      org.roots.push(root);
      this.waiting.set(root.orgId, org);
    }
  }

  get done(): boolean {
    return this.waiting.size === 0;
  }

  apply(record: RecordedEvent): void {
    const orgId = record.metadata.orgId;
    const org = this.waiting.get(orgId);
    if (!org) return;
    let read;
    try {
      read = decodeOrAsStored(record);
    } catch (error) {
      this.settle(orgId, { orgId, index: org.tree.size, reason: undecodable(record, error) });
      return;
    }
    if (!isCheckpoint(record, read.newer !== undefined)) this.applyLeaf(orgId, leafHash(eventLeafInput(read.event)));
  }

  /** True while the org has a root waiting: only its leaves are needed. */
  waits(orgId: string): boolean {
    return this.waiting.has(orgId);
  }

  /** The org's next leaf hash, in log order. */
  applyLeaf(orgId: string, leaf: Hash): void {
    const org = this.waiting.get(orgId);
    if (!org) return;
    org.tree.append(leaf);
    // Sizes never decrease in log order (the first read checked it), so the next root due is the first waiting.
    for (let next = org.roots[0]; next && next.size === org.tree.size; next = org.roots[0]) {
      if (!org.tree.root().equals(next.root)) return this.settle(orgId, { orgId, index: next.from, reason: notTheRoot(next.from, next.size, next.what) });
      org.roots.shift();
    }
    if (org.roots.length === 0) this.waiting.delete(orgId);
  }

  /** The first fault of each org the second read found; a root it never reached is one (the log lost events since the first read). */
  faults(): LogFault[] {
    const unreached = [...this.waiting].map(([orgId, { tree, roots: [next] }]) => ({
      orgId,
      index: tree.size,
      reason: `${next.what} signs ${next.size} events but the log now holds ${tree.size} of the org's before it: events were removed while it was checked`,
    }));
    return [...this.found, ...unreached];
  }

  private settle(orgId: string, fault: LogFault): void {
    this.found.push(fault);
    this.waiting.delete(orgId);
  }
}
