import { decode } from '../domain/events/decode';
import type { EventStore, RecordedEvent, Subscription } from '../event-store/event-store.port';
import { logDivergence, type LogCheckpoint } from '../event-store/log-divergence';
import { eventLeafInput } from './event-leaf';
import { CompactRange, leafHash, type Hash } from './merkle-tree';
import type { MerkleNodeStore, OrgNode, OrgTreeState } from './node-store/merkle-node-store.port';
import { storedNodes } from './node-store/stored-nodes';

/** One org's tree as the follower keeps it: what the checkpointer signs from. */
export interface FollowedOrg {
  readonly orgId: string;
  /** Size and root of the tree as stored: what may be signed, and proven from the store. */
  stored: { size: number; root: Hash };
  /** The org's latest checkpoint, from the log (or the checkpointer's own append, before the log brings it back). */
  readonly signed?: { size: number; at: number; revision: bigint };
  /** When the follower first saw the oldest leaf no checkpoint covers yet; undefined when every leaf is signed. */
  readonly grewAt: number | undefined;
}

/** A FollowedOrg with what only the follower touches. */
class OrgTree implements FollowedOrg {
  stored: { size: number; root: Hash };
  signed?: { size: number; at: number; revision: bigint };
  /** When each leaf from index `seenFrom` on was first seen: the leaves no checkpoint covers yet. */
  private seen: number[] = [];
  private seenFrom: number;

  constructor(
    readonly orgId: string,
    /** The right edge over every leaf applied: ahead of `stored` until the batch is written. */
    readonly tree: CompactRange,
    /** Position of the org's last event applied. */
    public position: bigint | undefined,
    signed: OrgTreeState['signed'],
    now: number,
  ) {
    this.stored = { size: tree.size, root: tree.root() };
    if (signed) this.signed = { size: signed.size, at: Date.parse(signed.at), revision: signed.revision };
    this.seenFrom = Math.min(this.signed?.size ?? 0, tree.size);
    // Leaves stored but not yet signed when this process started: they count from now.
    this.seen = Array.from({ length: tree.size - this.seenFrom }, () => now);
  }

  get grewAt(): number | undefined {
    return this.seen[0];
  }

  appended(now: number): void {
    this.seen.push(now);
  }

  /** A checkpoint of `size` is in the log (or was just appended): the leaves it covers are signed. */
  covered(size: number): void {
    if (size <= this.seenFrom) return;
    this.seen.splice(0, size - this.seenFrom);
    this.seenFrom = size;
  }

  state(): OrgTreeState {
    return {
      orgId: this.orgId,
      size: this.tree.size,
      position: this.position!,
      ...(this.signed ? { signed: { size: this.signed.size, at: new Date(this.signed.at).toISOString(), revision: this.signed.revision } } : {}),
    };
  }
}

export interface MerkleFollowerOptions {
  /** Most events in one store write; a batch also ends whenever the log has nothing more for now. */
  batchSize?: number;
  /** Pause before resubscribing after a failure (a store down, say). */
  retryMs?: number;
  /** Each failure; the follower resumes from its checkpoint after retryMs. */
  onError?: (error: unknown) => void;
}

const DEFAULTS = { batchSize: 1000, retryMs: 1000 };

/**
 * Follows the log through its own subscription and keeps every org's Merkle tree in the node
 * store: each leaf hash and every node it completes (two per event on average), each org's
 * size and latest checkpoint, and its own checkpoint in the log. Resumable: it starts after its
 * checkpoint, with each org's right edge read back from the store (O(log n) nodes). Idempotent:
 * an event at or before an org's stored position is skipped, nodes never change. Rebuildable:
 * when the log no longer holds its checkpoint (a restored or cut log), or on `rebuild()`, it
 * clears the store and replays the log from its start. Proofs and the checkpointer read what it
 * stored; nothing here is trusted by the server's own check (log-self-check.ts), which reads the log.
 */
export class MerkleFollower {
  private readonly options: Required<Omit<MerkleFollowerOptions, 'onError'>> & MerkleFollowerOptions;
  private readonly trees = new Map<string, OrgTree>();
  private subscription: Subscription | undefined;
  private running = false;
  private epoch = 0;
  private retry: NodeJS.Timeout | undefined;
  private applied: LogCheckpoint | undefined;
  /** Head of the log when the subscription began: until it is stored, nothing is signed. */
  private replayUntil: bigint | undefined;
  private batch: { nodes: OrgNode[]; orgs: Set<OrgTree>; checkpoint?: LogCheckpoint; events: number } = { nodes: [], orgs: new Set(), events: 0 };
  private writes: Promise<void> = Promise.resolve();
  private flushSoon: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private caughtUpWaiters: Array<() => void> = [];

  constructor(
    private readonly events: EventStore,
    private readonly store: MerkleNodeStore,
    options: MerkleFollowerOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
  }

  /** Every org followed, as stored. */
  get orgs(): ReadonlyMap<string, FollowedOrg> {
    return this.trees;
  }

  /** Position of the last event stored, undefined before any (its lag is a metric). */
  get position(): bigint | undefined {
    return this.applied?.position;
  }

  /** True once everything the log held when the follower (re)subscribed is stored. */
  get caughtUp(): boolean {
    return this.replayUntil === undefined || (this.applied !== undefined && this.applied.position >= this.replayUntil);
  }

  /** Called after each batch is stored. */
  onStored(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The checkpointer appended a checkpoint: until the log brings it back, its leaves count as signed. */
  signedByThisProcess(orgId: string, signed: { size: number; at: number; revision: bigint }): void {
    const org = this.trees.get(orgId);
    if (!org || (org.signed && org.signed.revision >= signed.revision)) return;
    org.signed = signed;
    org.covered(signed.size);
  }

  /** Resolves once caught up with the log as it was at the last (re)subscription. */
  whenCaughtUp(): Promise<void> {
    if (this.caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  /** Resumes from the store's checkpoint; resolves once subscribed (or, on failure, once a retry is scheduled). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.subscribe(false);
  }

  /** Stops the subscription, then stores what it delivered. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retry);
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.flush().catch((error: unknown) => this.options.onError?.(error));
  }

  /** Clears the store and replays the log from its start (its nodes disagreed with the log); resolves once caught up. */
  async rebuild(): Promise<void> {
    const previous = this.subscription;
    this.subscription = undefined;
    this.epoch += 1;
    await previous?.stop();
    await this.writes.catch(() => undefined);
    await this.subscribe(true);
    await this.whenCaughtUp();
  }

  private async subscribe(clear: boolean): Promise<void> {
    const epoch = ++this.epoch;
    this.discardBatch();
    this.writes = Promise.resolve();
    this.trees.clear();
    try {
      let checkpoint = clear ? undefined : await this.store.checkpoint();
      const divergence = await logDivergence(this.events, checkpoint);
      if (divergence !== undefined) this.options.onError?.(new Error(`Merkle node store: ${divergence}; rebuilding it from the log`));
      if (clear || divergence !== undefined) {
        await this.store.clear();
        checkpoint = undefined;
      }
      const now = Date.now();
      for (const org of await this.store.orgs()) {
        const read = await storedNodes(this.store, org.orgId, [{ kind: 'root', size: org.size }]);
        if (read === undefined) {
          this.options.onError?.(new Error(`Merkle node store: org ${org.orgId} lacks nodes of its tree of ${org.size}; rebuilding it from the log`));
          this.trees.clear();
          await this.store.clear();
          checkpoint = undefined;
          break;
        }
        this.trees.set(org.orgId, new OrgTree(org.orgId, CompactRange.at(org.size, read), org.position, org.signed, now));
      }
      const head = await this.events.headPosition();
      if (epoch !== this.epoch || !this.running) return;
      this.applied = checkpoint;
      this.replayUntil = head;
      this.notifyCaughtUp();
      this.subscription = this.events.subscribeToAll({
        after: checkpoint?.position,
        handler: (event) => (epoch === this.epoch ? this.handle(epoch, event) : undefined),
        onError: (error) => this.fail(epoch, error),
      });
    } catch (error) {
      this.fail(epoch, error);
    }
  }

  private handle(epoch: number, record: RecordedEvent): Promise<void> | undefined {
    const event = decode(record);
    const { orgId } = event.metadata;
    let org = this.trees.get(orgId);
    if (!org) this.trees.set(orgId, (org = new OrgTree(orgId, CompactRange.empty(), undefined, undefined, Date.now())));
    if (org.position === undefined || record.position > org.position) {
      if (event.type === 'CheckpointSigned') {
        const at = Date.parse(event.metadata.occurredAt);
        if (!org.signed || event.revision >= org.signed.revision) org.signed = { size: event.data.size, at, revision: event.revision };
        org.covered(event.data.size);
      } else {
        for (const node of org.tree.append(leafHash(eventLeafInput(event)))) this.batch.nodes.push({ orgId, ...node });
        org.appended(Date.now());
      }
      org.position = record.position;
      this.batch.orgs.add(org);
    }
    this.batch.checkpoint = { position: record.position, eventId: record.id };
    this.batch.events += 1;
    if (this.batch.events >= this.options.batchSize) return this.flush();
    this.flushWhenQuiet(epoch);
    return undefined;
  }

  /** Writes the batch once the subscription has delivered what it had (a timer turn without new events). */
  private flushWhenQuiet(epoch: number): void {
    if (this.flushSoon !== undefined) return;
    const seen = this.batch.events;
    this.flushSoon = setTimeout(() => {
      this.flushSoon = undefined;
      if (epoch !== this.epoch || this.batch.events === 0) return;
      if (this.batch.events > seen) return this.flushWhenQuiet(epoch);
      this.flush().catch((error: unknown) => this.fail(epoch, error));
    }, 1);
  }

  /** Writes are serialized, so the checkpoint only moves forward; once one fails the later ones fail too. */
  private flush(): Promise<void> {
    this.writes = this.writes.then(() => this.write());
    return this.writes;
  }

  private async write(): Promise<void> {
    const { nodes, orgs, checkpoint } = this.batch;
    const epoch = this.epoch;
    this.discardBatch();
    if (checkpoint === undefined) return;
    const written = [...orgs].map((org) => ({ org, state: org.state(), root: org.tree.root() }));
    await this.store.apply({ nodes, orgs: written.map(({ state }) => state), checkpoint });
    if (epoch !== this.epoch) return;
    for (const { org, state, root } of written) if (state.size >= org.stored.size) org.stored = { size: state.size, root };
    this.applied = checkpoint;
    this.notifyCaughtUp();
    for (const listener of this.listeners) listener();
  }

  private notifyCaughtUp(): void {
    if (!this.caughtUp) return;
    for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
  }

  private discardBatch(): void {
    clearTimeout(this.flushSoon);
    this.flushSoon = undefined;
    this.batch = { nodes: [], orgs: new Set(), events: 0 };
  }

  private fail(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || !this.running) return;
    this.epoch += 1;
    this.discardBatch();
    this.options.onError?.(error);
    void this.subscription?.stop();
    this.subscription = undefined;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.subscribe(false), this.options.retryMs);
  }
}
