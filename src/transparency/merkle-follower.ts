import type { Decoded } from '../domain/events/decode';
import { StallWatch, type StalledAtEvent } from '../event-store/stalled-at-event';
import type { LogEvent } from '../domain/events/event-catalogue';
import { orgStream } from '../domain/streams';
import type { EventStore, RecordedEvent, Subscription } from '../event-store/event-store.port';
import { logDivergence, type LogCheckpoint } from '../event-store/log-divergence';
import { eventLeafInput } from './event-leaf';
import { CompactRange, leafHash, type Hash, type NodeReader } from './merkle-tree';
import type { MerkleNodeStore, OrgNode, OrgTreeState, SeenCheckpoint } from './node-store/merkle-node-store.port';
import { storedNodes } from './node-store/stored-nodes';
import { noteHash } from './seen-checkpoints-check';

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
class FollowedOrgTree implements FollowedOrg {
  stored: { size: number; root: Hash };
  signed?: { size: number; at: number; revision: bigint };
  /** When each leaf from index `seenFrom` on was first seen: the leaves no checkpoint covers yet. */
  private seen: number[] = [];
  private seenFrom: number;
  /** Position and checkpoint revision of the org's state in the store: the org may leave memory once they are the ones here. */
  private storedAt: { position: bigint | undefined; revision: bigint | undefined };

  constructor(
    readonly orgId: string,
    /**
     * The right edge over every leaf applied: ahead of `stored` until the batch is written.
     * Undefined until its next leaf when read back for its root only (to be signed, or for a
     * checkpoint of it): its nodes are read then.
     */
    public tree: CompactRange | undefined,
    stored: { size: number; root: Hash },
    /** Position of the org's last event applied. */
    public position: bigint | undefined,
    signed: OrgTreeState['signed'],
    /** When its stored leaves not yet signed were first seen (all from the oldest's time: it leaves memory without the others'). */
    grewAt: number,
  ) {
    this.stored = stored;
    if (signed) this.signed = { size: signed.size, at: Date.parse(signed.at), revision: signed.revision };
    this.seenFrom = Math.min(this.signed?.size ?? 0, stored.size);
    this.seen = Array.from({ length: stored.size - this.seenFrom }, () => grewAt);
    this.storedAt = { position, revision: this.signed?.revision };
  }

  static created(orgId: string, now: number): FollowedOrgTree {
    const tree = CompactRange.empty();
    return new FollowedOrgTree(orgId, tree, { size: 0, root: tree.root() }, undefined, undefined, now);
  }

  /** Read back from the store: its root as stored, its right edge from the stored nodes when read. */
  static read(state: OrgTreeState & { root: Hash }, tree: CompactRange | undefined, now: number): FollowedOrgTree {
    return new FollowedOrgTree(state.orgId, tree, { size: state.size, root: state.root }, state.position, state.signed, state.grewAt ?? now);
  }

  /** Nothing here that the store does not hold: it can leave memory. */
  get isStored(): boolean {
    return this.position === this.storedAt.position && this.signed?.revision === this.storedAt.revision;
  }

  wasStored(state: OrgTreeState & { root: Hash }): void {
    if (this.storedAt.position !== undefined && state.position <= this.storedAt.position) return;
    this.stored = { size: state.size, root: state.root };
    this.storedAt = { position: state.position, revision: state.signed?.revision };
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

  /** What the store is to hold: with no right edge read, no leaf was applied, so the stored size and root. */
  state(): OrgTreeState & { root: Hash } {
    return {
      orgId: this.orgId,
      size: this.tree?.size ?? this.stored.size,
      root: this.tree?.root() ?? this.stored.root,
      position: this.position!,
      ...(this.signed ? { signed: { size: this.signed.size, at: new Date(this.signed.at).toISOString(), revision: this.signed.revision } } : {}),
      ...(this.grewAt === undefined ? {} : { grewAt: this.grewAt }),
    };
  }
}

export interface MerkleFollowerOptions {
  /** Most events in one store write; a batch also ends whenever the log has nothing more for now. */
  batchSize?: number;
  /** Pause before resubscribing after a failure (a store down, say). */
  retryMs?: number;
  /** Most orgs kept in memory beside those with changes not yet stored, the least recently used leaving (read back from the store at their next event). */
  maxOrgs?: number;
  /** Each failure; the follower resumes from its checkpoint after retryMs. */
  onError?: (error: unknown) => void;
  /** An event this release cannot read (a newer one wrote it): no tree may skip it, so the follower retries it after each pause, but says so once (here, instead of onError at each retry). */
  onStalled?: (stall: StalledAtEvent) => void;
  /** The time (ms) leaves are seen at, and the checkpointer's: Date.now unless a test steps it. */
  clock?: () => number;
}

const DEFAULTS = { batchSize: 1000, retryMs: 1000, maxOrgs: 10_000 };

/** An org is new, so not in the store, at its first event: its creation, which opens its stream (no event of the org comes before it). */
const createsOrg = (record: RecordedEvent, type: string, orgId: string): boolean =>
  type === 'OrganizationCreated' && record.revision === 0n && record.stream === orgStream(orgId);

/** The store holds an org's state but not the nodes of its tree. */
class MissingNodes extends Error {}

/**
 * Follows the log through its own subscription and keeps every org's Merkle tree in the node
 * store: each leaf hash and every node it completes (two per event on average), each org's
 * size and latest checkpoint, and its own checkpoint in the log. Memory is bounded: at most
 * maxOrgs orgs beside those with changes not yet stored, the least recently used leaving; an org
 * not in memory is read back from the store (its state, with its root) before its next event
 * applies, unless that event creates it, and its right edge (O(log n) nodes) before its next
 * leaf; an org a checkpoint is due for needs only its state. Resumable: it starts after its
 * checkpoint with every org's state in memory when the store holds no more than maxOrgs (their
 * rows read in one scan, no node), else with none. Idempotent:
 * an event at or before an org's stored position is skipped, nodes never change. Rebuildable:
 * when the log no longer holds its checkpoint (a restored or cut log), or on `rebuild()`, it
 * clears the store and replays the log from its start. Proofs and the checkpointer read what it
 * stored; nothing here is trusted by the server's own check (log-self-check.ts), which reads the log.
 */
export class MerkleFollower {
  private readonly options: Required<Omit<MerkleFollowerOptions, 'onError' | 'onStalled' | 'clock'>> & MerkleFollowerOptions;
  /** The time (ms) its leaves are seen at: the checkpointer reads its trees' times on this clock, and dates its checkpoints by it. */
  readonly clock: () => number;
  /** The orgs in memory, least recently used first. */
  private readonly trees = new Map<string, FollowedOrgTree>();
  /** The org of the last event handled: the last in `trees` when still there. */
  private latest: FollowedOrgTree | undefined;
  /** Orgs being read back from the store: an event and the checkpointer asking at once share one read. */
  private readonly reading = new Map<string, Promise<FollowedOrgTree>>();
  private subscription: Subscription | undefined;
  private running = false;
  private epoch = 0;
  private retry: NodeJS.Timeout | undefined;
  /** Says once that it waits at an event this release cannot read. */
  private readonly stall: StallWatch;
  private applied: LogCheckpoint | undefined;
  /** Head of the log when the subscription began: until it is stored, nothing is signed. */
  private replayUntil: bigint | undefined;
  private batch: { nodes: OrgNode[]; orgs: Set<FollowedOrgTree>; seen: Map<string, SeenCheckpoint>; checkpoint?: LogCheckpoint; events: number } = { nodes: [], orgs: new Set(), seen: new Map(), events: 0 };
  private writes: Promise<void> = Promise.resolve();
  /** Batches stored: an org's state read before the last one may be outdated. */
  private stored = 0;
  private flushSoon: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly checkpointListeners = new Set<(note: string) => void>();
  private caughtUpWaiters: Array<() => void> = [];
  private everyOrgInMemory = false;
  /** The store's checkpoint the subscription resumed after; undefined when it replays the log from its start. */
  private resumedFrom: bigint | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly store: MerkleNodeStore,
    options: MerkleFollowerOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
    this.clock = options.clock ?? Date.now;
    this.stall = new StallWatch(options.onStalled);
  }

  /** Most orgs kept in memory beside those with changes not yet stored. */
  get maxOrgs(): number {
    return this.options.maxOrgs;
  }

  /** The orgs in memory (the others are only in the store: `due` finds those a checkpoint is due for). */
  get orgs(): ReadonlyMap<string, FollowedOrg> {
    return this.trees;
  }

  /**
   * The orgs the store says a checkpoint is due for (a leaf unsigned since `grownBy`, or last
   * signed at `signedBy`), at most `limit`, those not in memory read back into it (their rows:
   * no node read); an org in memory is as it is here, which may be newer than its stored state.
   */
  async due(grownBy: number, signedBy: number, limit: number): Promise<FollowedOrg[]> {
    const [epoch, stored] = [this.epoch, this.stored];
    const orgs: FollowedOrg[] = [];
    for (const state of await this.store.due(grownBy, signedBy, limit)) {
      if (epoch !== this.epoch) break;
      // Once a batch was stored since, the state found may be older than the store's: read again.
      orgs.push(this.trees.get(state.orgId) ?? (await this.readBack(epoch, state.orgId, false, stored === this.stored ? state : undefined)));
    }
    return orgs;
  }

  /**
   * True while memory holds every org of the log up to `position`: the follower replayed the log
   * from its start (the store held nothing, or was cleared), or resumed from its checkpoint with
   * every org's row read (the store held no more than maxOrgs), and no org has left memory since.
   * The store then holds no org due that memory does not (the checkpointer need not look at it).
   */
  get holdsEveryOrg(): boolean {
    return this.everyOrgInMemory;
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

  /** Calls `listener` with the note of each checkpoint the log brings, before the org's state takes it (so before a checkpoint may follow it). */
  onCheckpoint(listener: (note: string) => void): () => void {
    this.checkpointListeners.add(listener);
    return () => this.checkpointListeners.delete(listener);
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
    await this.resubscribe(true);
    await this.whenCaughtUp();
  }

  private async resubscribe(clear: boolean): Promise<void> {
    const previous = this.subscription;
    this.subscription = undefined;
    this.epoch += 1;
    await previous?.stop();
    await this.writes.catch(() => undefined);
    await this.subscribe(clear);
  }

  private async subscribe(clear: boolean): Promise<void> {
    const epoch = ++this.epoch;
    this.discardBatch();
    this.writes = Promise.resolve();
    this.trees.clear();
    this.reading.clear();
    this.everyOrgInMemory = false;
    try {
      let checkpoint = clear ? undefined : await this.store.checkpoint();
      const divergence = await logDivergence(this.events, checkpoint);
      if (divergence !== undefined) this.options.onError?.(new Error(`Merkle node store: ${divergence}; rebuilding it from the log`));
      const head = await this.events.headPosition();
      if (clear || divergence !== undefined) {
        // The checkpoints seen stay for the server's check, but for those past the head of a log cut or restored from an older copy.
        if (divergence !== undefined) await this.store.forgetCheckpointsAfter(head);
        await this.store.clear();
        checkpoint = undefined;
      }
      // Replayed from the log's start (an empty store), every org comes into memory; resumed, every org the store holds if they fit.
      const stored = checkpoint === undefined ? [] : await this.everyOrgStored();
      if (epoch !== this.epoch || !this.running) return;
      this.applied = checkpoint;
      this.resumedFrom = checkpoint?.position;
      for (const org of stored ?? []) this.trees.set(org.orgId, org);
      this.everyOrgInMemory = stored !== undefined;
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
    const event = this.stall.decode(record);
    const { orgId } = event.metadata;
    // A leaf extends the org's right edge; a checkpoint of it needs only its state.
    const edge = event.type !== 'CheckpointSigned';
    let org = this.trees.get(orgId);
    if (!org && createsOrg(record, event.type, orgId)) this.trees.set(orgId, (org = FollowedOrgTree.created(orgId, this.clock())));
    if (!org || (edge && !org.tree)) {
      // Out of memory (or never seen), or without the right edge a leaf needs: the subscription waits for its read.
      return this.readBack(epoch, orgId, edge).then(
        (read) => (epoch === this.epoch ? this.apply(epoch, record, event, read) : undefined),
        (error: unknown) => this.readFailed(epoch, error),
      );
    }
    // Most recently used: to the end of the map (where it is already while its events come in a row).
    if (org !== this.latest) {
      this.trees.delete(orgId);
      this.trees.set(orgId, org);
    }
    this.latest = org;
    return this.apply(epoch, record, event, org);
  }

  private apply(epoch: number, record: RecordedEvent, event: Decoded<RecordedEvent, LogEvent>, org: FollowedOrgTree): Promise<void> | undefined {
    const { orgId } = org;
    if (org.position === undefined || record.position > org.position) {
      if (event.type === 'CheckpointSigned') {
        for (const listener of this.checkpointListeners) listener(event.data.note);
        const at = Date.parse(event.metadata.occurredAt);
        if (!org.signed || event.revision >= org.signed.revision) org.signed = { size: event.data.size, at, revision: event.revision };
        this.batch.seen.set(orgId, { orgId, revision: event.revision, position: record.position, noteHash: noteHash(event.data.note) });
        org.covered(event.data.size);
      } else {
        // handle() read the right edge before a leaf.
        for (const node of org.tree!.append(leafHash(eventLeafInput(event)))) this.batch.nodes.push({ orgId, ...node });
        org.appended(this.clock());
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

  /**
   * The org in memory, read back from the store when it is not there (new when the store holds
   * none), with its right edge when `edge` (else its stored root only: no node read); one read at
   * a time per org.
   */
  private async readBack(epoch: number, orgId: string, edge: boolean, known?: OrgTreeState): Promise<FollowedOrgTree> {
    for (let pending = this.reading.get(orgId); pending; pending = this.reading.get(orgId)) await pending.catch(() => undefined);
    const inMemory = this.trees.get(orgId);
    if (inMemory && (inMemory.tree || !edge)) return inMemory;
    const read = inMemory ? this.readEdge(inMemory) : this.read(orgId, edge, known);
    this.reading.set(orgId, read);
    try {
      const org = await read;
      if (epoch === this.epoch) {
        this.trees.delete(orgId);
        this.trees.set(orgId, (this.latest = org));
      }
      return org;
    } finally {
      if (this.reading.get(orgId) === read) this.reading.delete(orgId);
    }
  }

  /**
   * Every org the store holds, read by their rows (their right edges at their next leaves, as for
   * an org due), when they are no more than maxOrgs and every row keeps its root; else undefined.
   */
  private async everyOrgStored(): Promise<FollowedOrgTree[] | undefined> {
    const states = await this.store.orgs(this.options.maxOrgs + 1);
    const rooted = states.filter((state): state is OrgTreeState & { root: Hash } => state.root !== undefined);
    // Rows from before the root was kept would need their nodes read: they are read back one by one, as any org out of memory.
    if (states.length > this.options.maxOrgs || rooted.length < states.length) return undefined;
    const now = this.clock();
    return rooted.map((state) => FollowedOrgTree.read(state, undefined, now));
  }

  /** The org's state (unless known) and, when `edge` or its root is not in its row (a row from before), its right edge. */
  private async read(orgId: string, edge: boolean, known?: OrgTreeState): Promise<FollowedOrgTree> {
    const state = known ?? (await this.store.org(orgId));
    if (!state && (await this.storedBeforeResuming(orgId))) {
      throw new MissingNodes(`Merkle node store: org ${orgId} has no row, yet its events up to the checkpoint were stored (its rows deleted by hand?); rebuilding it from the log`);
    }
    const tree = state && (edge || !state.root) ? await this.rightEdge(orgId, state.size) : undefined;
    // Its creation may have come meanwhile (another copy stored the org first): the one in memory goes on.
    const created = this.trees.get(orgId);
    if (created || !state) return created ?? FollowedOrgTree.created(orgId, this.clock());
    return FollowedOrgTree.read({ ...state, root: state.root ?? tree!.root() }, tree, this.clock());
  }

  /**
   * True when the org's stream begins at or before the checkpoint the follower resumed from: its
   * row was stored before that checkpoint, so a store without it lost it (the org is not new).
   */
  private async storedBeforeResuming(orgId: string): Promise<boolean> {
    if (this.resumedFrom === undefined) return false;
    return (await this.events.readStream(orgStream(orgId), 0n, { toPosition: this.resumedFrom })).length > 0;
  }

  private async readEdge(org: FollowedOrgTree): Promise<FollowedOrgTree> {
    org.tree = await this.rightEdge(org.orgId, org.stored.size);
    return org;
  }

  private async rightEdge(orgId: string, size: number): Promise<CompactRange> {
    const nodes = await storedNodes(this.store, orgId, [{ kind: 'root', size }]);
    if (!nodes) throw new MissingNodes(`Merkle node store: org ${orgId} lacks nodes of its tree of ${size}; rebuilding it from the log`);
    return CompactRange.at(size, nodes);
  }

  /** A read failed: the store lacks nodes it should hold, rebuilt from the log; or it is down, retried. */
  private readFailed(epoch: number, error: unknown): void {
    if (epoch !== this.epoch) return;
    if (!(error instanceof MissingNodes)) throw error;
    this.options.onError?.(error);
    void this.resubscribe(true);
  }

  /** Lets the least recently used orgs leave memory, beyond maxOrgs, of those the store holds as they are here. */
  private trim(): void {
    for (const [orgId, org] of this.trees) {
      if (this.trees.size <= this.options.maxOrgs) return;
      if (!org.isStored) continue;
      this.trees.delete(orgId);
      this.everyOrgInMemory = false;
    }
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
    const { nodes, orgs, seen, checkpoint } = this.batch;
    const epoch = this.epoch;
    this.discardBatch();
    if (checkpoint === undefined) return;
    const written = [...orgs].map((org) => ({ org, state: org.state() }));
    await this.store.apply({ nodes, orgs: written.map(({ state }) => state), seen: [...seen.values()], checkpoint });
    this.stored += 1;
    if (epoch !== this.epoch) return;
    for (const { org, state } of written) org.wasStored(state);
    this.trim();
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
    this.batch = { nodes: [], orgs: new Set(), seen: new Map(), events: 0 };
  }

  private fail(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || !this.running) return;
    this.epoch += 1;
    this.discardBatch();
    // The stall was said once: its retries are not failures to report again.
    if (!this.stall.said(error)) this.options.onError?.(error);
    void this.subscription?.stop();
    this.subscription = undefined;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.subscribe(false), this.options.retryMs);
  }
}
