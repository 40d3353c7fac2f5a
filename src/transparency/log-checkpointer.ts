import { ConcurrencyConflict, type EventStore, type NewEvent, type RecordedEvent, type Subscription } from '../event-store/event-store.port';
import { decode } from '../domain/events/decode';
import { newId } from '../shared/ids';
import { checkpointOrigin, signCheckpoint, timestampLine } from './checkpoint';
import { eventLeafInput } from './event-leaf';
import type { LogKey } from './log-key';
import { CompactRange, leafHash } from './merkle-tree';
import type { NoteSigner } from './signed-note';

/** Signed checkpoints are events of their org's checkpoint stream: they replicate and export with the log. */
export const CHECKPOINT_SIGNED = 'CheckpointSigned';
export const checkpointStream = (orgId: string): string => `checkpoint-${orgId}`;
/** The actor of a checkpoint: the log itself, not an agent or the operator. */
export const LOG_ACTOR = 'log';

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
  /** How often orgs are looked at; default a quarter of the shorter interval. */
  tickMs?: number;
  /** Pause before replaying again after a failure (store down, say). */
  retryMs?: number;
  /** Each failure; the checkpointer replays the log again after retryMs. */
  onError?: (error: unknown) => void;
}

const DEFAULT_RETRY_MS = 1000;

interface OrgLog {
  tree: CompactRange;
  /** Size and time of the last checkpoint, undefined before the first. */
  signed?: { size: number; at: number };
  /** When the tree first grew past the last checkpoint. */
  grewAt?: number;
  /** Revision of the last event of the org's checkpoint stream: the expected revision of the next append. */
  revision?: bigint;
}

/**
 * Follows the whole log, keeps each org's tree (its right edge only) and appends a signed
 * checkpoint to the org's checkpoint stream when the tree grew delayMs ago, or idleMs after the
 * last checkpoint. It replays the log from its start when it starts: the checkpoints in the log
 * are its progress. Several copies may run: the checkpoint stream's expected revision lets one
 * checkpoint per state through.
 */
export class LogCheckpointer {
  private readonly orgs = new Map<string, OrgLog>();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private running = false;
  /** Bumped at each (re)subscription: events of an older one are ignored. */
  private epoch = 0;
  /** Position of the head when the replay began; no checkpoint is made before the replay reaches it. */
  private replayUntil: bigint | undefined;
  private replaying = true;
  /** Position of the last event folded into the trees (its lag is a metric). */
  private applied: bigint | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private signGrowthAfterMs = 0;

  constructor(
    private readonly events: EventStore,
    private readonly key: LogKey,
    private readonly options: LogCheckpointerOptions,
  ) {}

  /** Subscribes and starts looking at orgs; resolves once subscribed (or, on failure, once a retry is scheduled). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const tickMs = this.options.tickMs ?? Math.max(10, Math.min(this.options.delayMs, this.options.idleMs) / 4);
    // A growth is signed at the last tick before its delay ends, not the first after: at most delayMs, not delayMs + a tick.
    this.signGrowthAfterMs = Math.max(0, this.options.delayMs - tickMs);
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick()).catch((error: unknown) => this.options.onError?.(error));
    }, tickMs);
    await this.subscribe();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    await this.ticking;
    await this.subscription?.stop();
  }

  /** Replays the log from its start: the checkpoints in it are this role's progress. */
  private async subscribe(): Promise<void> {
    const epoch = ++this.epoch;
    this.orgs.clear();
    this.replaying = true;
    try {
      const head = await this.events.headPosition();
      if (epoch !== this.epoch || !this.running) return;
      this.replayUntil = head;
      this.replaying = head !== undefined;
      this.subscription = this.events.subscribeToAll({
        handler: (event) => (epoch === this.epoch ? this.apply(event) : undefined),
        onError: (error) => this.fail(epoch, error),
      });
    } catch (error) {
      this.fail(epoch, error);
    }
  }

  private fail(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || !this.running) return;
    this.epoch += 1;
    this.replaying = true;
    this.options.onError?.(error);
    void this.subscription?.stop();
    this.subscription = undefined;
    this.retry = setTimeout(() => void this.subscribe(), this.options.retryMs ?? DEFAULT_RETRY_MS);
  }

  private org(orgId: string): OrgLog {
    let org = this.orgs.get(orgId);
    if (!org) this.orgs.set(orgId, (org = { tree: CompactRange.empty() }));
    return org;
  }

  private apply(record: RecordedEvent): void {
    const event = decode(record);
    const org = this.org(event.metadata.orgId);
    if (event.type === 'CheckpointSigned') {
      const { size } = event.data;
      org.signed = { size, at: Date.parse(event.metadata.occurredAt) };
      org.revision = event.revision;
      if (size === org.tree.size) org.grewAt = undefined;
    } else {
      org.tree.append(leafHash(eventLeafInput(event)));
      org.grewAt ??= Date.now();
    }
    this.applied = event.position;
    if (this.replaying && event.position >= this.replayUntil!) this.replaying = false;
  }

  /** Position of the last event folded into the trees, undefined before any. */
  get position(): bigint | undefined {
    return this.applied;
  }

  private async tick(): Promise<void> {
    if (this.replaying) return;
    const now = Date.now();
    for (const [orgId, org] of this.orgs) {
      const grown = org.grewAt !== undefined && now - org.grewAt >= this.signGrowthAfterMs;
      const idle = org.signed !== undefined && now - org.signed.at >= this.options.idleMs;
      if (grown || idle) await this.sign(orgId, org, now);
    }
  }

  private async sign(orgId: string, org: OrgLog, now: number): Promise<void> {
    const size = org.tree.size;
    try {
      const result = await this.events.append([
        { stream: checkpointStream(orgId), expected: org.revision ?? 'no_stream', events: [checkpointEvent(this.key.signer, orgId, org.tree, new Date(now))] },
      ]);
      // Until the subscription brings it back, the next tick must not sign this state again.
      org.revision = result.revisions[checkpointStream(orgId)];
      org.signed = { size, at: now };
      if (size === org.tree.size) org.grewAt = undefined;
    } catch (error) {
      // Another copy checkpointed this org first: its event arrives through the subscription.
      if (!(error instanceof ConcurrencyConflict)) throw error;
    }
  }
}
