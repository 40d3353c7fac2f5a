import { LOG_ACTOR } from '../domain/shared/actor';
import { checkpointStream } from '../domain/streams';
import { CLOCK_SKEW_TOLERANCE_MS } from '../domain/shared/signed-proof';
import { ConcurrencyConflict, type EventStore, type NewEvent, type StreamWrite } from '../event-store/event-store.port';
import { newId } from '../shared/ids';
import { checkpointOrigin, signCheckpoint, timestampLine } from './checkpoint';
import type { LogKey } from './log-key';
import type { FollowedOrg, MerkleFollower } from './merkle-follower';
import type { CompactRange } from './merkle-tree';
import { hex8, parseNote, type NoteSigner } from './signed-note';
import type { SigningGate } from './signing-gate';

/** Signed checkpoints are events of their org's checkpoint stream: they replicate and export with the log. */
export const CHECKPOINT_SIGNED = 'CheckpointSigned';

export interface CheckpointSignedData {
  /** Tree size the checkpoint covers: the org's events before it, checkpoints not counted. */
  size: number;
  /** The whole signed note (C2SP tlog-checkpoint in a signed-note). */
  note: string;
}

/** The event of a checkpoint of `tree` signed at `at`: what the checkpointer appends (and a bench's synthetic log too). */
export function checkpointEvent(signer: NoteSigner, orgId: string, tree: Pick<CompactRange, 'size' | 'root'>, at: Date): NewEvent {
  const { size } = tree;
  const note = signCheckpoint({ origin: checkpointOrigin(signer.name, orgId), size, rootHash: tree.root(), extensions: [timestampLine(at)] }, signer);
  const id = newId();
  const data: CheckpointSignedData = { size, note };
  return { id, type: CHECKPOINT_SIGNED, schemaVersion: 1, data: { ...data }, metadata: { actor: LOG_ACTOR, orgId, occurredAt: at.toISOString(), correlationId: id, causationId: id } };
}

export interface LogCheckpointerOptions {
  /** A checkpoint at most this long after an org's log grows. */
  delayMs: number;
  /** A timestamped checkpoint at this interval while an org's log does not grow. */
  idleMs: number;
  /**
   * How long after a growth it is signed; default half the delay. The rest of the delay is the
   * budget for what lies between: the follower storing the leaf, a timer fired late by a busy
   * event loop, the append of the checkpoint.
   */
  signAfterMs?: number;
  /** Each failure; the org is tried again at the next pass. */
  onError?: (error: unknown) => void;
}

/** A pass that failed (store down), that waited for the follower (below) or held an org for the clock, is tried again this long after. */
const RETRY_MS = 1000;
/**
 * A checkpoint signed at T bounds the time of every event after its size from below (event-times.ts:
 * `audit verify` refuses one dated more than the clock skew before T). So nothing is signed while
 * the log holds an event the follower has not stored dated more than this before the signing
 * time: it would come after the signed size. Half the skew: the other half is for events decided
 * and not yet appended, and for the clocks of the instances that date them.
 */
export const SIGNING_MARGIN_MS = CLOCK_SKEW_TOLERANCE_MS / 2;
/** The node store's due orgs are looked at no more often than this while none are. */
const STORE_LOOK_MIN_MS = 100;

/**
 * Appends a signed checkpoint of each org's tree to the org's checkpoint stream signAfterMs
 * after the tree grew (so within delayMs), or idleMs after its last checkpoint. It hashes
 * nothing: the trees are the follower's (merkle-follower.ts), which stores each leaf and its
 * nodes before it reports the size and root a checkpoint may sign, so every signed size is
 * provable from the node store. One timer, armed for the earliest org due: a pass signs every
 * org that grew, in one append (one write of the log, whatever the number of orgs); nothing is
 * signed until the follower has caught up with the log, nor while the gate holds the org
 * (signing-gate.ts: not before the server's check of the log vouched for the stored nodes).
 * Orgs out of the follower's memory are
 * found through the node store's due index, looked at least every signAfterMs (a checkpoint of
 * such an org may come that much later than one in memory), not while the follower holds every
 * org. Several copies may run: the checkpoint stream's expected revision lets one checkpoint per
 * state through.
 */
export class LogCheckpointer {
  private timer: NodeJS.Timeout | undefined;
  /**
   * When the armed timer fires, on the monotonic clock (performance.now()): a wall clock stepped
   * forward (NTP, a VM resumed) makes orgs due sooner than a timer armed by the clock before, which
   * a comparison in wall-clock times kept waiting (up to idleMs: an hour of new orgs unsigned).
   */
  private timerFiresAt = Number.POSITIVE_INFINITY;
  private running = false;
  private passing: Promise<void> | undefined;
  private unlisten: Array<() => void> = [];
  private readonly signAfterMs: number;
  /** When the node store's due orgs are looked at next. */
  private storeLookAt = 0;
  /** The log's position after this process's last checkpoints: the store is looked at again once the follower stored them. */
  private signedUpTo: bigint | undefined;
  /** The key, not this process's, of a checkpoint in the log: the log key was rotated and this process is on a retired one. */
  private supersededBy: string | undefined;
  /** A pass held orgs whose last checkpoint is ahead of the clock: warned of already. */
  private clockBehind = false;

  constructor(
    private readonly events: EventStore,
    private readonly key: LogKey,
    private readonly follower: MerkleFollower,
    private readonly gate: SigningGate,
    private readonly options: LogCheckpointerOptions,
  ) {
    this.signAfterMs = options.signAfterMs ?? options.delayMs / 2;
  }

  /** Watches the follower's trees and the gate; signs once the follower has caught up with the log and the gate lets it. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // A check that releases orgs arms at once: their growth seen meanwhile is due already.
    this.unlisten = [this.follower.onStored(() => this.arm()), this.gate.onChecked(() => this.arm()), this.follower.onCheckpoint((note) => this.sawCheckpoint(note))];
    void this.follower.whenCaughtUp().then(() => this.arm());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const unlisten of this.unlisten.splice(0)) unlisten();
    clearTimeout(this.timer);
    await this.passing;
  }

  /** When the org needs a checkpoint: signAfterMs after its oldest unsigned leaf, or idleMs after its last checkpoint; never while the gate holds it. */
  private dueAt(org: FollowedOrg): number {
    if (!this.gate.allows(org.orgId)) return Number.POSITIVE_INFINITY;
    const grown = org.stored.size > (org.signed?.size ?? 0) && org.grewAt !== undefined ? org.grewAt + this.signAfterMs : Number.POSITIVE_INFINITY;
    const idle = org.signed !== undefined ? org.signed.at + this.options.idleMs : Number.POSITIVE_INFINITY;
    return Math.min(grown, idle);
  }

  /**
   * A checkpoint signed by none of this process's keys was made by a process with a newer log key
   * (README: rotating the log key): a checkpoint this one signed after it would be a retired key
   * signing after its successor, which audit verify and the server's check refuse for good. The
   * expected revision of the checkpoint stream lets this process append only after its follower
   * brought the newer checkpoint here, so nothing slips in between.
   */
  private sawCheckpoint(note: string): void {
    if (this.supersededBy !== undefined) return;
    let signatures;
    try {
      signatures = parseNote(note).signatures;
    } catch {
      return; // the server's check judges a note that does not parse
    }
    if (signatures.some(({ name, keyId }) => this.key.keyring.some((key) => key.name === name && key.keyId === keyId))) return;
    this.supersededBy = signatures.map(({ name, keyId }) => `${name}+${hex8(keyId)}`).join(', ');
    clearTimeout(this.timer);
    this.options.onError?.(
      new Error(
        `a checkpoint in the log is signed by ${this.supersededBy}, a key this process does not hold: the log key was rotated, so this process signs no more checkpoints with its retired key (restart it with the new LOG_SIGNING_KEY, the earlier keys in LOG_PREVIOUS_KEYS)`,
      ),
    );
  }

  /** Arms the timer for the earliest org due, unless it fires sooner already or a pass runs (it arms again when done). */
  private arm(): void {
    if (!this.running || this.supersededBy !== undefined || this.passing || !this.follower.caughtUp || this.gate.holdsEveryOrg) return;
    let due = this.looksAtStore() ? this.storeLookAt : Number.POSITIVE_INFINITY;
    for (const org of this.follower.orgs.values()) due = Math.min(due, this.dueAt(org));
    if (due === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, due - this.follower.clock());
    // A millisecond's give: each stored event arms again, for what is mostly the same moment.
    if (performance.now() + delay >= this.timerFiresAt - 1) return;
    clearTimeout(this.timer);
    this.timerFiresAt = performance.now() + delay;
    this.timer = setTimeout(() => this.pass(), delay);
  }

  /** Orgs may be due that only the store holds, and this process's last checkpoints are stored. */
  private looksAtStore(): boolean {
    return !this.follower.holdsEveryOrg && (this.signedUpTo === undefined || (this.follower.position ?? -1n) >= this.signedUpTo);
  }

  private pass(): void {
    this.timerFiresAt = Number.POSITIVE_INFINITY;
    this.passing = this.signDue()
      .then((signed) => (signed !== undefined ? new Promise((resolve) => setTimeout(resolve, RETRY_MS)) : undefined))
      .catch((error: unknown) => {
        this.options.onError?.(error);
        return new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      })
      .then(() => {
        this.passing = undefined;
        this.arm();
      });
  }

  /**
   * Signs every org due now, and with them every other org that grew (its growth would be due
   * within signAfterMs anyway): one append instead of one per org.
   */
  private async signDue(): Promise<'follower behind' | 'clock behind' | undefined> {
    if (!this.running || this.supersededBy !== undefined || !this.follower.caughtUp || this.gate.holdsEveryOrg) return;
    const now = this.follower.clock();
    // A timer that fires a millisecond early finds nothing due and is armed again: an idle checkpoint never comes early.
    const due = (org: FollowedOrg) => this.dueAt(org) <= now;
    const candidates = new Set(this.follower.orgs.values());
    if (now >= this.storeLookAt && !this.follower.holdsEveryOrg) {
      // As many as the follower keeps in memory: they stay there until their checkpoints are stored.
      const page = this.follower.maxOrgs;
      const stored = await this.follower.due(now - this.signAfterMs, now - this.options.idleMs, page);
      for (const org of stored) candidates.add(org);
      // More may be due than one pass reads: the next pass looks again once these checkpoints are stored.
      const more = stored.length === page && stored.some(due);
      this.storeLookAt = more ? now : now + Math.max(this.signAfterMs, STORE_LOOK_MIN_MS);
    }
    const grown = [...candidates].filter((org) => this.gate.allows(org.orgId) && (org.stored.size > (org.signed?.size ?? 0) || due(org)));
    if (!grown.some(due) || this.supersededBy !== undefined) return;
    const { oldestOccurredAt } = await this.events.backlog(this.follower.position, 1);
    // Taken after every read: the trees signed were stored by then, so each event they cover is dated no later.
    const readAt = this.follower.clock();
    // An org's checkpoint is never dated before its previous one (audit verify and the witness refuse it): after a clock
    // stepped back, dated as that one when it is at most the signing margin ahead, else held until the clock has passed it
    // (README: a clock stepped back). Dated further forward, it would date back the events after its size, dated by this clock.
    const ahead = (org: FollowedOrg) => (org.signed?.at ?? readAt) - readAt > SIGNING_MARGIN_MS;
    const orgs = grown.filter((org) => !ahead(org));
    this.warnClockBehind(readAt, grown.filter(ahead));
    if (orgs.length === 0) return 'clock behind';
    const at = orgs.reduce((latest, org) => Math.max(latest, org.signed?.at ?? latest), readAt);
    if (oldestOccurredAt !== undefined && Date.parse(oldestOccurredAt) < at - SIGNING_MARGIN_MS) return 'follower behind';
    const writes = orgs.map((org) => ({ org, write: this.checkpointWrite(org, new Date(at)) }));
    try {
      const result = await this.events.append(writes.map(({ write }) => write));
      for (const { org, write } of writes) this.signed(org, write, result.revisions.get(write.stream)!, at);
      this.signedUpTo = result.position;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      // Another copy checkpointed one of them first: each on its own, the others go through.
      for (const { org, write } of writes) {
        try {
          const result = await this.events.append([write]);
          this.signed(org, write, result.revisions.get(write.stream)!, at);
        } catch (single) {
          // Its checkpoint by the other copy arrives through the follower.
          if (!(single instanceof ConcurrencyConflict)) throw single;
        }
      }
    }
    return orgs.length < grown.length ? 'clock behind' : undefined;
  }

  /** Warns once per step back of the clock that holds orgs: each pass until it has caught up would otherwise. */
  private warnClockBehind(clock: number, held: FollowedOrg[]): void {
    const [first] = held;
    if (first === undefined || this.clockBehind) {
      this.clockBehind = first !== undefined;
      return;
    }
    this.clockBehind = true;
    const last = new Date(first.signed!.at).toISOString();
    this.options.onError?.(
      new Error(
        `the clock (${new Date(clock).toISOString()}) is behind org ${first.orgId}'s last checkpoint (${last}) by more than the signing margin (${SIGNING_MARGIN_MS / 1000} s)${held.length > 1 ? `, and ${held.length - 1} other org(s)'` : ''}: it was stepped back, so their checkpoints wait until it has passed them (README: a clock stepped back)`,
      ),
    );
  }

  private checkpointWrite(org: FollowedOrg, at: Date): StreamWrite {
    const { size, root } = org.stored;
    return {
      stream: checkpointStream(org.orgId),
      expected: org.signed?.revision ?? 'no_stream',
      events: [checkpointEvent(this.key.signer, org.orgId, { size, root: () => root }, at)],
    };
  }

  /** Until the follower brings it back from the log, the next pass must not sign this state again. */
  private signed(org: FollowedOrg, write: StreamWrite, revision: bigint, at: number): void {
    const { size } = write.events[0].data as unknown as CheckpointSignedData;
    this.follower.signedByThisProcess(org.orgId, { size, at, revision });
  }
}
