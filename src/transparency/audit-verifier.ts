import { decode, NotOfThisRelease, UndecodableEvent } from '../domain/events/decode';
import { decodeChecked } from '../domain/events/decode-checked';
import type { CheckpointSigned } from '../domain/audit/checkpoint.events';
import { checkpointTime, formatCheckpoint, signedTime, type Checkpoint } from './checkpoint';
import { leafInput } from './event-leaf';
import { LOG_ACTOR } from '../domain/shared/actor';
import { openLogCheckpoint, openOrgCheckpoint, retiredKeyFault, type LogKeyring } from './log-keyring';
import { DEFAULT_PENDING_WINDOW, RootsAtSizes, type DeferredRoot } from './log-integrity';
import { LogViolation } from './replay/log-violation';
import { LineSplitter, LineTooLong } from './ndjson-lines';
import { EventIds } from './event-ids';
import { leafHash, type Hash } from './merkle-tree';
import { InvalidNote, type NoteVerifier } from './signed-note';
import { signedEvents, type AuditFailure, type AuditVerdict, type OrgReport, type VerifiedPrefix } from './verifier/audit-verdict';
import { MAX_LINE_LENGTH, NotJson, parseRecord, type ExportRecord } from './verifier/export-record';
import { ForkViolation, OtherOrgViolation } from './verifier/fork-violation';
import { inUnknownStream, STREAM_EVENTS, streamOf, type StreamOf } from './verifier/log-streams';
import { b64 } from './verifier/org-tree';
import { OrgVerification, type SignedCheckpoint } from './verifier/org-verification';
import { VerifierFault } from './verifier/verifier-fault';
import { withoutByteOrderMark } from '../shared/byte-order-mark';

/**
 * The offline verifier of an NDJSON audit export (R16): from the file and the log's verifier key
 * alone it recomputes each org's RFC 9162 tree, checks every signed checkpoint against it and a
 * checkpoint saved earlier against it, and replays the org's events through the deciders' evolve
 * checking every signed statement (log-replay.ts). Pure and incremental: feed it lines, then ask
 * for the verdict; the first broken rule stops it. A checkpoint further behind the events before
 * it than the leaves it keeps (see OrgTree) is checked on a second read of the file (`secondRead`).
 * What it reads, holds and answers is in verifier/: the export line (export-record.ts), the
 * streams it names (log-streams.ts), each org's tree and state (org-tree.ts, org-verification.ts),
 * the verdict (audit-verdict.ts).
 */

export interface AuditVerifierOptions {
  logKey: NoteVerifier;
  /** Earlier log keys, oldest first: after a rotation, the checkpoints they signed still verify. */
  earlierLogKeys?: readonly NoteVerifier[];
  /** A checkpoint note saved earlier (of one org): this log must extend it. */
  trustedCheckpoint?: string;
  /**
   * A checkpoint of the same org kept from a look before the one `trustedCheckpoint` comes from,
   * which that one was proven to extend (the console's witness checks the consistency proof
   * between them): its signed time bounds the events too (event-times.ts), so that those appended
   * between the two cannot be dated before it.
   */
  earlierCheckpoint?: string;
  /** Fingerprint the org's first key must have: the anchor of every approval chain. */
  firstKey?: string;
  /** Leaf hashes kept after each org's tree edge (see OrgTree): the default unless a test shows what lies beyond. */
  pendingWindow?: number;
}

/** What the log is refused for: a rule it breaks, data of no event's shape, a note that does not open. */
const isVerdict = (error: unknown): error is Error => error instanceof LogViolation || error instanceof UndecodableEvent || error instanceof InvalidNote;

/** An org's first line in the file that continues a stream: what a filtered export (the API's audit trail filters) looks like, which no checkpoint can cover. */
const notFromTheStart = (orgId: string): string =>
  `: the file does not start where org ${orgId}'s log starts, as a filtered export (?type=, ?from=, ...) or a cut one does: only the whole export verifies`;

export class AuditVerifier {
  private readonly orgs = new Map<string, OrgVerification>();
  /** Each stream name read once: a log has far fewer streams than events. */
  private readonly streams = new Map<string, StreamOf>();
  /** Every event id read, checkpoint lines' too, each given once. */
  private readonly eventIds = new EventIds();
  private readonly trusted?: { orgId: string; checkpoint: SignedCheckpoint; note: string };
  private readonly earlier?: Checkpoint;
  private readonly keys: LogKeyring;
  private lines = 0;
  /** The splitter gives the text after the last newline: a last line without one. */
  private atEnd = false;
  private failure: Omit<AuditFailure, 'verified'> | undefined;
  /** The file's first line a newer release wrote: the verdict unless a failure is found, the rest of the file checked still. */
  private newer: Omit<AuditFailure, 'verified'> | undefined;
  /** Checkpoint lines this release could not open: they vouched for nothing (the verdict says so). */
  private unreadCheckpoints = 0;
  private readonly splitter = new LineSplitter((line) => this.push(line), MAX_LINE_LENGTH);
  /** Roots of checkpoints signing a size their org's edge had passed: the second read checks them. */
  private readonly deferred: DeferredRoot[] = [];
  private again: { roots: RootsAtSizes; splitter: LineSplitter; lines: number } | undefined;

  constructor(private readonly options: AuditVerifierOptions) {
    this.keys = [...(options.earlierLogKeys ?? []), options.logKey];
    if (options.trustedCheckpoint !== undefined) this.trusted = { ...openLogCheckpoint(options.trustedCheckpoint, this.keys), note: options.trustedCheckpoint };
    if (options.earlierCheckpoint !== undefined) {
      const earlier = openLogCheckpoint(options.earlierCheckpoint, this.keys);
      if (!this.trusted || earlier.orgId !== this.trusted.orgId || earlier.checkpoint.size > this.trusted.checkpoint.size) {
        throw new InvalidNote('the earlier checkpoint is not one of a prefix of the trusted checkpoint: of its org, and no larger');
      }
      this.earlier = earlier.checkpoint;
    }
  }

  /** The failure so far, if any: once one is found the rest of the file is not read. */
  get failed(): Omit<AuditFailure, 'verified'> | undefined {
    return this.failure;
  }

  /** Lines fed so far. */
  get lineCount(): number {
    return this.lines;
  }

  /** Feeds text of the export cut anywhere (a read chunk): its lines are split here. */
  pushText(chunk: string): void {
    if (this.failure) return;
    try {
      this.splitter.push(chunk);
    } catch (error) {
      if (!(error instanceof LineTooLong)) throw error;
      this.failure = { line: this.lines + 1, reason: `${error.message}: no export record is that long` };
    }
  }

  /** Feeds one line of the export (blank lines are skipped). */
  push(text: string): void {
    this.lines += 1;
    const line = this.lines === 1 ? withoutByteOrderMark(text) : text;
    if (this.failure || line.trim() === '') return;
    let record: ExportRecord | undefined;
    let org: OrgVerification | undefined;
    let leafIndex: number | undefined;
    try {
      record = parseRecord(line);
      const where = this.streams.get(record.stream) ?? this.newStream(record.stream);
      org = this.org(where.orgId);
      const expectedRevision = (org.revisions.get(record.stream) ?? -1) + 1;
      if (record.revision !== expectedRevision) {
        throw new LogViolation(
          record.revision > expectedRevision
            ? `stream ${record.stream} jumps from revision ${expectedRevision - 1} to ${record.revision}: events are missing${org.revisions.size === 0 ? notFromTheStart(org.orgId) : ''}`
            : `stream ${record.stream} goes back to revision ${record.revision} after ${expectedRevision - 1}: events are reordered or repeated`,
        );
      }
      org.revisions.set(record.stream, record.revision);
      if (where.kind === 'checkpoint') {
        // A checkpoint this release cannot open vouches for nothing here: skipped, as it signs no leaf.
        const checkpoint = this.readable(org, record, undefined, () => decodeChecked(record!, STREAM_EVENTS.checkpoint));
        if (checkpoint) this.checkpoint(org, checkpoint);
        else this.unreadCheckpoints += 1;
      } else {
        leafIndex = org.tree.size;
        this.leaf(org, where, record, leafIndex);
      }
      const before = this.eventIds.add(record.eventId, this.lines);
      if (before !== undefined) {
        throw new LogViolation(`the event id ${record.eventId} is given twice: line ${before} holds it too, and the log gives each event its own id, by which the audit trail and the proofs find it`);
      }
    } catch (error) {
      // Only a broken rule of the log is a verdict on this line; anything else thrown is this verifier's own bug.
      if (!isVerdict(error)) throw new VerifierFault(this.lines, error);
      this.failure = {
        line: this.lines,
        ...(org && { orgId: org.orgId }),
        ...(leafIndex !== undefined && { leafIndex }),
        ...(record && { eventId: record.eventId, type: record.type }),
        // An export or a copy interrupted ends so: told apart from a line edited into no JSON.
        reason:
          error instanceof NotJson && this.atEnd
            ? 'the file ends in the middle of this line (no newline after it, and what there is of it is not JSON): it was cut short, as an interrupted export or copy leaves it; export the log again'
            : error.message,
        ...(error instanceof ForkViolation && { forked: true as const }),
      };
    }
  }

  /** An event of the org, the leaf at `leafIndex` of its tree, through the rules of its stream. */
  private leaf(org: OrgVerification, where: Exclude<StreamOf, { kind: 'checkpoint' }>, record: ExportRecord, leafIndex: number): void {
    org.checkTime(record.stream, leafIndex, record.occurredAt);
    // The leaf leaves position out: a reader ordering the events by it (the trail's cursor) must read the order the tree signs.
    if (record.position !== undefined) {
      if (org.lastPosition !== undefined && record.position <= org.lastPosition) {
        throw new LogViolation(`the event's position ${record.position} is not after the position ${org.lastPosition} of the org's event before it: the log's positions rise in its order`);
      }
      org.lastPosition = record.position;
    }
    // Each line's shape is checked before its leaf is hashed: data no event has reaches neither the canonical form nor the replay.
    // A newer release's event is hashed as stored (its leaf needs no reading of it); its org's later events are not replayed, their state being that release's.
    const leaf = <E>(read: () => E, fold: (event: E) => void): void => {
      const event = this.readable(org, record, leafIndex, read);
      org.tree.append(leafHash(leafInput(record)));
      if (event !== undefined && !org.newer) fold(event);
    };
    if (where.kind === 'org') leaf(() => decodeChecked(record, STREAM_EVENTS.org), (event) => org.replay.organization(event));
    else if (where.kind === 'agent') leaf(() => decodeChecked(record, STREAM_EVENTS.agent), (event) => org.replay.key(where.agentId, event));
    else if (where.kind === 'recovery') leaf(() => decodeChecked(record, STREAM_EVENTS.recovery), (event) => org.replay.recovery(event));
    else if (where.kind === 'pubkey') leaf(() => decodeChecked(record, STREAM_EVENTS.pubkey), (event) => org.replay.publicKey(record.stream, where.fingerprint, event));
    else if (where.kind === 'unknown') leaf(() => inUnknownStream(record), () => undefined);
    else leaf(() => decodeChecked(record, STREAM_EVENTS.browser), (event) => org.replay.browser(record.stream, where.agentId, where.browserId, event));
  }

  /**
   * What `read` decodes from the line, undefined when a newer release wrote it (a type or schema
   * version this release does not know): noted, the file's first such line being the verdict
   * unless a failure is found, and its org's replay stopped from there.
   */
  private readable<T>(org: OrgVerification, record: ExportRecord, leafIndex: number | undefined, read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof NotOfThisRelease)) throw error;
      org.newer ??= { lastChecked: org.lastChecked };
      this.newer ??= {
        line: this.lines,
        orgId: org.orgId,
        ...(leafIndex !== undefined && { leafIndex }),
        eventId: record.eventId,
        type: record.type,
        reason: `${record.type} v${record.schemaVersion}, which this release cannot read${error.readsUpTo === undefined ? ' (a type it does not know)' : ` (it reads up to v${error.readsUpTo})`}`,
        newerRelease: true,
      };
      return undefined;
    }
  }

  /**
   * Once every line is in, the second read of the same file, from its start, when a checkpoint
   * signed a size its org's edge had passed (undefined when none did): feed it the file's text as
   * before, then ask for the verdict.
   */
  secondRead(): { pushText(chunk: string): void } | undefined {
    if (!this.again && !this.failure) this.endText();
    if (this.failure || this.deferred.length === 0) return undefined;
    if (!this.again) {
      // Each org's root over all the leaves the first read took, last: a file changed between the reads cannot have its first read's events vouched for by the second's.
      let whole: DeferredRoot[];
      try {
        whole = [...new Set(this.deferred.map(({ orgId }) => orgId))].map((orgId) => {
          const org = this.orgs.get(orgId)!;
          return { orgId, size: org.tree.size, root: this.wholeRoot(org), from: 0, what: 'the first read of the file (it changed while it was verified)' };
        });
      } catch (error) {
        // The trusted checkpoint, reached on the way, may not be a prefix.
        this.failWhole(error);
        return undefined;
      }
      const roots = new RootsAtSizes([...this.deferred, ...whole]);
      this.again = { roots, lines: 0, splitter: new LineSplitter((line) => this.pushAgain(roots, line), MAX_LINE_LENGTH) };
    }
    const again = this.again;
    return {
      pushText: (chunk) => {
        if (this.failure || again.roots.done) return;
        try {
          again.splitter.push(chunk);
        } catch (error) {
          if (!(error instanceof Error)) throw error;
          this.failure = { line: again.lines + 1, reason: `the second read of the file does not give the lines of the first (${error.message}): it changed while it was verified` };
        }
      },
    };
  }

  /** A line of the second read: the first read checked it, so only its org's leaf is taken (a line that no longer parses throws). */
  private pushAgain(roots: RootsAtSizes, text: string): void {
    this.again!.lines += 1;
    const line = this.again!.lines === 1 ? withoutByteOrderMark(text) : text;
    if (this.failure || roots.done || line.trim() === '') return;
    const record = parseRecord(line);
    const where = this.streams.get(record.stream) ?? streamOf(record.stream);
    if (where.kind !== 'checkpoint' && roots.waits(where.orgId)) roots.applyLeaf(where.orgId, leafHash(leafInput(record)));
  }

  /** The verdict once every line is in (twice, when `secondRead` asked for it). */
  finish(): AuditVerdict {
    if (!this.failure && !this.again) this.endText();
    if (!this.failure) {
      try {
        this.finishSecondRead();
        this.finishOrgs();
      } catch (error) {
        this.failWhole(error);
      }
    }
    // No tampering found: a newer release's event is the verdict.
    const found = this.failure ?? (this.newer && { ...this.newer, ...(this.unreadCheckpoints > 0 && { unreadCheckpoints: this.unreadCheckpoints }) });
    const failure = found && { ...found, verified: this.verifiedDespite(found) };
    return { ok: failure === undefined, lines: this.lines, orgs: [...this.orgs.values()].map((org) => this.report(org)), ...(failure && { failure }) };
  }

  /**
   * What the lines before a failure still prove: by org, the events up to its last checkpoint whose
   * root was checked, or up to the trusted checkpoint once matched. Nothing after a fork (the history
   * they belong to is not the trusted one), a fault of the file as a whole, or one of its second read
   * (it changed since the first checked them); nothing of an org whose first key is known and not the
   * pinned one, nor of one whose trusted checkpoint the lines before did not reach.
   */
  private verifiedDespite(failure: Omit<AuditFailure, 'verified'>): VerifiedPrefix[] {
    if (failure.line === 0 || failure.forked || this.again) return [];
    const pinned = this.options.firstKey?.toLowerCase();
    return [...this.orgs.values()].flatMap((org): VerifiedPrefix[] => {
      const firstKey = org.replay.firstKeyFingerprint;
      if (pinned !== undefined && firstKey !== undefined && firstKey !== pinned) return [];
      const trusted = this.trusted?.orgId === org.orgId ? this.trusted.checkpoint.size : 0;
      if (trusted > 0 && !org.trustedMatched) return [];
      const checked = org.newer ? org.newer.lastChecked : org.lastChecked;
      if (checked && checked.size >= trusted) return [{ orgId: org.orgId, events: checked.size, checkpointLine: checked.line }];
      return trusted > 0 ? [{ orgId: org.orgId, events: trusted }] : [];
    });
  }

  private endText(): void {
    this.atEnd = true;
    this.splitter.end();
  }

  /** A broken rule of the file as a whole, not of one line. */
  private failWhole(error: unknown): void {
    if (!(error instanceof LogViolation)) throw new VerifierFault(0, error);
    this.failure = { line: 0, reason: error.message, ...(error instanceof ForkViolation && { forked: true as const }), ...(error instanceof OtherOrgViolation && { otherOrg: true as const }) };
  }

  /** A root the second read found wrong, or never reached (the file was changed in between, or not read again), fails the whole file. */
  private finishSecondRead(): void {
    if (this.deferred.length === 0) return;
    if (!this.again) throw new LogViolation(`${this.deferred[0].what} signs a size its org's leaves kept in memory had passed: the file must be read a second time (secondRead) to check it`);
    this.again.splitter.end();
    const [fault] = this.again.roots.faults();
    if (fault) throw new LogViolation(`org ${fault.orgId}: ${fault.reason}`);
  }

  /** The org's root over every leaf read; its trusted checkpoint, if any, is checked on the way. */
  private wholeRoot(org: OrgVerification): Hash {
    try {
      return org.tree.rootAt(org.tree.size)!;
    } catch (error) {
      if (error instanceof LogViolation) error.message = `org ${org.orgId}: ${error.message}`;
      throw error;
    }
  }

  private finishOrgs(): void {
    if (this.orgs.size === 0) throw new LogViolation('the file holds no event');
    for (const org of this.orgs.values()) this.wholeRoot(org);
    if (this.trusted) {
      const org = this.orgs.get(this.trusted.orgId);
      if (!org) {
        const orgIds = [...this.orgs.keys()];
        throw new OtherOrgViolation(
          `the trusted checkpoint is of org ${this.trusted.orgId} (its origin ${this.trusted.note.split('\n', 1)[0]}), the file's events are of org${orgIds.length === 1 ? '' : 's'} ${orgIds.join(', ')}`,
        );
      }
      if (!org.trustedMatched) {
        throw new ForkViolation(
          `the trusted checkpoint covers ${this.trusted.checkpoint.size} events of org ${org.orgId} but this log holds only ${org.tree.size}: events were removed`,
        );
      }
    }
    const firstKey = this.options.firstKey?.toLowerCase();
    if (firstKey !== undefined) {
      for (const org of this.orgs.values()) {
        // A replay stopped at a newer release's event before the first key knows none: that release's to check.
        if (org.newer && org.replay.firstKeyFingerprint === undefined) continue;
        if (org.replay.firstKeyFingerprint !== firstKey) {
          throw new LogViolation(`org ${org.orgId}'s first key is ${org.replay.firstKeyFingerprint ?? 'not in the log'}, not the pinned ${firstKey}`);
        }
      }
    }
  }

  private report(org: OrgVerification): OrgReport {
    const { size, root } = org.tree.computed;
    const timestamp = org.last && checkpointTime(org.last)?.toISOString();
    const trusted = this.trusted?.orgId === org.orgId && org.trustedMatched ? this.trusted : undefined;
    const keep = trusted && (org.last?.size ?? -1) < trusted.checkpoint.size ? trusted.note : org.lastNote;
    const lastCheckpoint = org.last && { size: org.last.size, rootHash: b64(org.last.rootHash), ...(timestamp && { timestamp }), note: org.lastNote! };
    const trustedCheckpoint = trusted && { size: trusted.checkpoint.size, rootHash: b64(trusted.checkpoint.rootHash) };
    return {
      orgId: org.orgId,
      events: org.tree.size,
      verifiedSize: size,
      checkpoints: org.checkpoints,
      ...(lastCheckpoint && { lastCheckpoint }),
      uncovered: org.tree.size - signedEvents({ lastCheckpoint, trustedCheckpoint }),
      rootHash: b64(root),
      ...(trustedCheckpoint && { trustedCheckpoint }),
      ...(keep !== undefined && { checkpointToKeep: keep }),
      ...(org.replay.firstKeyFingerprint && { firstKey: org.replay.firstKeyFingerprint }),
      activeKeys: org.replay.activeKeys().map(({ agentId, role, chain }) => ({ agentId, ...(role && { role }), fingerprint: chain[0]?.fingerprint ?? '', chain })),
    };
  }

  private newStream(stream: string): StreamOf {
    const where = streamOf(stream);
    this.streams.set(stream, where);
    return where;
  }

  private org(orgId: string): OrgVerification {
    let org = this.orgs.get(orgId);
    if (!org) {
      const trusted = this.trusted?.orgId === orgId;
      org = new OrgVerification(orgId, trusted ? this.trusted!.checkpoint : undefined, this.options.pendingWindow ?? DEFAULT_PENDING_WINDOW, trusted ? this.earlier : undefined);
      this.orgs.set(orgId, org);
    }
    return org;
  }

  /**
   * The trusted checkpoint's time orders the file's too, as the witness orders what it saw: a
   * larger one signed before it, or a smaller one after it, is the log's signed times rewritten
   * since (its events may well be the same: a checkpoint signed anew, back-dated).
   */
  private checkTrustedTime(orgId: string, checkpoint: SignedCheckpoint, at: Date): void {
    const trusted = this.trusted?.orgId === orgId ? this.trusted.checkpoint : undefined;
    const trustedAt = trusted && signedTime(trusted);
    if (!trustedAt) return;
    // Signed since the trusted checkpoint: by its key or a later one, even where the file holds no checkpoint of the trusted one's key.
    const retired = at >= trustedAt && retiredKeyFault(this.keys, trusted!.signedBy, checkpoint.signedBy, 'the trusted checkpoint');
    if (retired) throw new LogViolation(`the checkpoint of size ${checkpoint.size}, timestamped ${at.toISOString()}, is not the log's: ${retired}`);
    const [larger, smaller] = [checkpoint.size > trusted!.size && at < trustedAt, checkpoint.size < trusted!.size && at > trustedAt];
    if (larger || smaller) {
      throw new ForkViolation(
        `the checkpoint of size ${checkpoint.size} is timestamped ${at.toISOString()}, ${larger ? 'before' : 'after'} the trusted checkpoint of size ${trusted!.size} (${trustedAt.toISOString()}): its signed times go back`,
      );
    }
  }

  /** A signed checkpoint: by the log key, of this org, its size never smaller than the last one's, its root the tree's at its size. */
  private checkpoint(org: OrgVerification, event: CheckpointSigned & { actor: string; occurredAt: string }): void {
    if (event.actor !== LOG_ACTOR) throw new LogViolation(`a checkpoint is recorded by "${event.actor}", not by the log`);
    let checkpoint: SignedCheckpoint & { verified: string };
    try {
      checkpoint = openOrgCheckpoint(event.data.note, this.keys, org.orgId);
    } catch (error) {
      if (error instanceof InvalidNote) throw new LogViolation(`the checkpoint does not open with the log key: ${error.message}`);
      throw error;
    }
    // The line's other fields are no leaf of any tree: each is the note's (refused when it differs; the data's shape, size and note only, is checked at decode), or named by the verdict nowhere (eventId, correlationId, causationId, position, revision).
    if (checkpoint.size !== event.data.size) throw new LogViolation(`the checkpoint signs size ${checkpoint.size} but is recorded as ${event.data.size}`);
    const previous = org.last;
    // The signed text, not the note: signature lines of keys nobody knows, or a known key's again, are skipped when it opens, and would make a copy another note.
    if (previous && formatCheckpoint(checkpoint) === formatCheckpoint(previous)) throw new LogViolation('the checkpoint repeats the one before it: the log signs each checkpoint once, with its own timestamp');
    const retired = previous && retiredKeyFault(this.keys, previous.signedBy, checkpoint.signedBy);
    if (retired) throw new LogViolation(`the checkpoint of size ${checkpoint.size} is not the log's: ${retired}`);
    if (previous && checkpoint.size < previous.size) throw new LogViolation(`the checkpoint of size ${checkpoint.size} follows one of size ${previous.size}: sizes never shrink`);
    const [before, at] = [previous && checkpointTime(previous), checkpointTime(checkpoint)];
    if (at === undefined) throw new LogViolation('the checkpoint has no timestamp line: the log timestamps every checkpoint it signs');
    if (Number.isNaN(at.getTime())) throw new LogViolation("the checkpoint's timestamp line does not hold a time as the log writes it: one line, ISO 8601 in UTC to the millisecond");
    if (event.occurredAt !== at.toISOString()) throw new LogViolation(`the checkpoint is recorded at ${event.occurredAt} but signed at ${at.toISOString()}`);
    if (before && at < before) throw new LogViolation(`the checkpoint is timestamped ${at.toISOString()}, before the previous one (${before.toISOString()})`);
    this.checkTrustedTime(org.orgId, checkpoint, at);
    if (checkpoint.size > org.tree.size) {
      throw new LogViolation(`the checkpoint covers ${checkpoint.size} events but only ${org.tree.size} come before it: events were removed`);
    }
    const root = org.tree.rootAt(checkpoint.size);
    if (root === undefined) this.deferred.push({ orgId: org.orgId, size: checkpoint.size, root: checkpoint.rootHash, from: previous?.size ?? 0, what: `the checkpoint on line ${this.lines}` });
    else if (!root.equals(checkpoint.rootHash)) {
      throw new LogViolation(`the signed root at size ${checkpoint.size} is ${b64(checkpoint.rootHash)} but the events give ${b64(root)}: an event before it was altered, removed, inserted or moved`);
    } else if (checkpoint.size > 0) org.lastChecked = { size: checkpoint.size, line: this.lines };
    org.checkpoints += 1;
    org.last = checkpoint;
    // Kept as verified (--save-checkpoint): a signature line no log key checked would be saved as if trusted.
    org.lastNote = checkpoint.verified;
  }
}
