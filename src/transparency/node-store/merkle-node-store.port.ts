/**
 * The Merkle node store port (R16): every org's stored tree nodes, kept by the follower of the
 * log (merkle-follower.ts) so that roots and proofs read O(log n) nodes instead of rebuilding the
 * tree. Adapters: embedded SQLite and MongoDB; both pass
 * test/transparency/merkle-node-store.contract.ts. Everything here can be rebuilt from the log.
 */
import type { LogCheckpoint } from '../../event-store/log-divergence';
import type { Hash, NodeId, StoredNode } from '../merkle-tree';

/** Where one org's tree stands in the store. */
export interface OrgTreeState {
  orgId: string;
  /** Leaves stored (the org's events, checkpoints not counted). */
  size: number;
  /** Root of those leaves, what a checkpoint signs: read without the tree's nodes. Absent in a row from before it was kept. */
  root?: Hash;
  /** Position of the last event of the org applied (leaf or checkpoint): a redelivered event at or before it is skipped. */
  position: bigint;
  /** The org's latest checkpoint in the log, as its CheckpointSigned event says. */
  signed?: { size: number; at: string; revision: bigint };
  /** When the oldest leaf no checkpoint covers was first seen (ms since the epoch); undefined when every leaf is signed. */
  grewAt?: number;
}

export interface OrgNode extends StoredNode {
  orgId: string;
}

/**
 * The latest checkpoint of an org the follower applied: its revision in the org's checkpoint
 * stream and its position in the log. Kept through `clear()`, so that the server's check finds
 * an org's checkpoints deleted from the log (no log key needed), an event under them altered,
 * which the nodes rebuilt from that log would otherwise forget, and the checkpointer sign anew.
 */
export interface SeenCheckpoint {
  orgId: string;
  revision: bigint;
  position: bigint;
  /** SHA-256 of its signed note: what it signs, so that a record rewritten in its place is no longer it. */
  noteHash: Hash;
}

/** One write of the follower: nodes, then each org it touched and the checkpoints it saw, then its place in the log. */
export interface NodeBatch {
  nodes: readonly OrgNode[];
  orgs: readonly OrgTreeState[];
  seen?: readonly SeenCheckpoint[];
  checkpoint: LogCheckpoint;
}

export interface MerkleNodeStore {
  init(): Promise<void>;

  /** The last event the follower applied and stored, undefined before any. */
  checkpoint(): Promise<LogCheckpoint | undefined>;

  org(orgId: string): Promise<OrgTreeState | undefined>;

  /** At most `limit` orgs' states, in no set order (one scan of their rows, no node): every org's when the store holds fewer. */
  orgs(limit: number): Promise<OrgTreeState[]>;

  /**
   * Orgs a checkpoint is due for, through an index (the follower keeps only some orgs in memory):
   * those with a leaf unsigned since `grownBy` or before, or last signed at `signedBy` or before
   * (ms since the epoch); at most `limit` of them, in no set order.
   */
  due(grownBy: number, signedBy: number, limit: number): Promise<OrgTreeState[]>;

  /** The hashes of these nodes of the org's tree, in the order asked; undefined for a node not stored. */
  nodes(orgId: string, ids: readonly NodeId[]): Promise<Array<Hash | undefined>>;

  /**
   * Stores the batch, idempotently: a node already stored keeps its hash (a node never changes);
   * an org's state, its seen checkpoint and the checkpoint move only forward (to a higher
   * position), so a redelivered or a late copy's batch never takes them back. Embedded: one
   * transaction. Otherwise nodes first, then orgs and seen checkpoints, then the checkpoint: after
   * a crash in between, resuming from the older checkpoint skips, per org, what its state already holds.
   */
  apply(batch: NodeBatch): Promise<void>;

  /** Every org's latest checkpoint seen, in no set order. */
  seenCheckpoints(): Promise<SeenCheckpoint[]>;

  /** Forgets the checkpoints seen past `head`, the log's head (every one when the log is empty): a log cut or restored from an older copy no longer holds them. */
  forgetCheckpointsAfter(head: bigint | undefined): Promise<void>;

  /** Forgets every node, org and the follower's place, for a rebuild from the log; the checkpoints seen stay. */
  clear(): Promise<void>;

  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** A position as text that sorts as the number does (KurrentDB's are 64-bit unsigned). */
export const positionKey = (position: bigint): string => position.toString().padStart(20, '0');

/** Nest injection token of the Merkle node store. */
export const MERKLE_NODE_STORE = Symbol('MERKLE_NODE_STORE');
