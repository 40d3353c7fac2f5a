import { Inject, Injectable } from '@nestjs/common';
import { refuse } from '../../domain/shared/refusal';
import { READ_MODEL_STORE, type ReadModelStore } from '../../read-models/read-model-store.port';
import { StoreUnavailable } from '../../shared/store-unavailable';
import { CHECKPOINT_SIGNED, type CheckpointSignedData } from '../../transparency/log-checkpointer';
import { LOG_KEY, type LogKey } from '../../transparency/log-key';
import { openOrgCheckpoint } from '../../transparency/log-keyring';
import type { AuditEntryDocument } from '../../transparency/audit-entry';
import { leafInput } from '../../transparency/event-leaf';
import { consistencyProof, inclusionProof, leafHash, treeRoot, verifyConsistency, verifyInclusion, type Hash, type NodeId, type NodeReader, type ProofRequest } from '../../transparency/merkle-tree';
import { MERKLE_NODE_STORE, type MerkleNodeStore } from '../../transparency/node-store/merkle-node-store.port';
import { storedNodes } from '../../transparency/node-store/stored-nodes';
import { InvalidQuery } from './invalid-query';
import { quoted } from '../../shared/quoted';

/**
 * The latest signed checkpoint of an org, from the audit-log read model (its rows are the
 * export's lines, checkpoints included), and proofs against it from the Merkle node store: a
 * proof reads O(log n) stored nodes, never the org's events. Nothing stored is taken on trust:
 * before a proof is served, the same nodes must give, at its size, a root that a consistency
 * proof ties to the root the latest checkpoint signs, and the proof must verify against it;
 * otherwise 503 naming the node store. A wrong stored node can so make a proof unavailable, never wrong.
 */
@Injectable()
export class AuditProofs {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(LOG_KEY) private readonly logKey: LogKey,
    @Inject(MERKLE_NODE_STORE) private readonly nodes: Pick<MerkleNodeStore, 'org' | 'nodes'>,
  ) {}

  /** The note of the org's latest checkpoint; 404 CHECKPOINT_NOT_FOUND before its first. */
  async checkpoint(orgId: string): Promise<CheckpointSignedData> {
    const latest = await this.latestCheckpoint(orgId);
    if (!latest) return refuse('NOT_FOUND', 'CHECKPOINT_NOT_FOUND', 'This organization has no signed checkpoint yet; one is made within LOG_CHECKPOINT_DELAY_MS of its first event.');
    return latest;
  }

  async consistency(orgId: string, from: number, to: number): Promise<Hash[]> {
    if (from > to) throw new InvalidQuery('INVALID_TREE_SIZE', '`from` must not exceed `to`.');
    const { read, roots } = await this.tree(orgId, [{ kind: 'root', size: from }, { kind: 'consistency', first: from, second: to }], to);
    const proof = consistencyProof(from, to, read);
    if (!verifyConsistency(from, to, treeRoot(from, read), roots.size, proof)) throw nodesDisagree(orgId, to);
    return proof;
  }

  /** `latest`: the org's latest checkpoint when the caller read it already (else read here). */
  async inclusion(orgId: string, index: number, size: number, latest?: CheckpointSignedData): Promise<{ leafHash: Hash; proof: Hash[] }> {
    if (index >= size) throw new InvalidQuery('INVALID_TREE_SIZE', '`index` must be smaller than `size`.');
    const { read, roots } = await this.tree(orgId, [{ kind: 'inclusion', index, size }], size, [{ level: 0, index }], latest);
    const leaf = read({ level: 0, index });
    const proof = inclusionProof(index, size, read);
    if (!verifyInclusion(leaf, index, size, proof, roots.size)) throw nodesDisagree(orgId, size);
    return { leafHash: leaf, proof };
  }

  /**
   * The inclusion proof of an event named by its id, in the tree of `size` events (default: the
   * latest checkpoint's), with its index and the latest checkpoint's note. The index is how many
   * leaves of the org come before the event: two counts in the audit trail's indexes (its events
   * before it, less its checkpoints before it), none of the events read. It is not trusted either:
   * the leaf hash answered is the one of the event's own record (README: leaf of an event), and the
   * proof must verify it at that index against the signed root, else 503.
   */
  async inclusionOfEvent(orgId: string, eventId: string, size?: number): Promise<{ index: number; size: number; leafHash: Hash; proof: Hash[]; checkpoint: string }> {
    const record = await this.store.findById('audit_log', eventId);
    // Another org's event reads as one that does not exist (R14).
    if (record === undefined || record.orgId !== orgId) return refuse('NOT_FOUND', 'EVENT_NOT_FOUND', `This organization's audit log has no event ${quoted(eventId)}.`);
    if (record.type === CHECKPOINT_SIGNED) {
      throw new InvalidQuery('NOT_A_LEAF', `Event ${quoted(eventId)} is a checkpoint line: it signs the tree and is no leaf of it; open its note with the log key (GET /v1/log-key) instead.`);
    }
    const index = await this.leafIndex(orgId, record.position as number);
    const latest = await this.latestCheckpoint(orgId);
    const signedSize = latest === undefined ? 0 : openOrgCheckpoint(latest.note, this.logKey.keyring, orgId).size;
    if (index >= signedSize) {
      return refuse('CONFLICT', 'EVENT_NOT_SIGNED_YET', `Event ${quoted(eventId)} is leaf ${index} of the organization's tree, which no checkpoint covers yet (the latest signs ${signedSize} events); one does within LOG_CHECKPOINT_DELAY_MS: ask again then.`);
    }
    if (size !== undefined && index >= size) throw new InvalidQuery('EVENT_AFTER_SIZE', `Event ${quoted(eventId)} is leaf ${index} of the organization's tree, not in its first ${size} events: ask for a size above ${index}.`);
    const treeSize = size ?? signedSize;
    const { leafHash: stored, proof } = await this.inclusion(orgId, index, treeSize, latest);
    const leaf = leafHash(leafInput(record as unknown as AuditEntryDocument));
    if (!leaf.equals(stored)) {
      throw new StoreUnavailable('the audit-log read model', `its record of event ${eventId} is not leaf ${index} of the signed tree: it, or the Merkle node store, disagrees with the log`);
    }
    return { index, size: treeSize, leafHash: leaf, proof, checkpoint: latest!.note };
  }

  /** How many leaves of the org precede the event at `position`: its events before it, less its checkpoints before it. */
  private async leafIndex(orgId: string, position: number): Promise<number> {
    const org = { field: 'orgId', op: 'eq', value: orgId } as const;
    const before = { field: 'position', op: 'lt', value: position } as const;
    const [events, checkpoints] = await Promise.all([
      this.store.count({ collection: 'audit_log', conditions: [org, before] }),
      this.store.count({ collection: 'audit_log', conditions: [org, { field: 'type', op: 'eq', value: CHECKPOINT_SIGNED }, before] }),
    ]);
    return events - checkpoints;
  }

  /** The last of the org's checkpoints, read alone: an org makes one every few seconds it is busy, and one an hour while idle. */
  private async latestCheckpoint(orgId: string): Promise<CheckpointSignedData | undefined> {
    const [latest] = await this.store.find({
      collection: 'audit_log',
      conditions: [
        { field: 'orgId', op: 'eq', value: orgId },
        { field: 'type', op: 'eq', value: CHECKPOINT_SIGNED },
      ],
      orderBy: 'position',
      descending: true,
      limit: 1,
    });
    return latest?.data as unknown as CheckpointSignedData | undefined;
  }

  /**
   * Reads in one call the stored nodes the requests need, plus those of the root at `size` and of
   * its consistency with the latest checkpoint, and returns that root once the proof ties it to
   * the signed one (the same size: the roots are equal).
   */
  private async tree(orgId: string, requests: ProofRequest[], size: number, leaves: NodeId[] = [], latest?: CheckpointSignedData): Promise<{ read: NodeReader; roots: { size: Hash } }> {
    const { note } = latest ?? (await this.checkpoint(orgId));
    const signed = openOrgCheckpoint(note, this.logKey.keyring, orgId);
    if (size > signed.size) throw new InvalidQuery('INVALID_TREE_SIZE', `The latest checkpoint covers ${signed.size} events; ask for a size up to that.`);
    const stored = await this.nodes.org(orgId);
    if (stored === undefined || stored.size < signed.size) {
      throw new StoreUnavailable('the Merkle node store', `it holds ${stored?.size ?? 0} events of the org, the latest checkpoint signs ${signed.size}: its follower is catching up with the log`);
    }
    const tying: ProofRequest[] = [{ kind: 'root', size }, { kind: 'consistency', first: size, second: signed.size }];
    const read = await storedNodes(this.nodes, orgId, [...requests, ...tying], leaves);
    if (read === undefined) throw nodesDisagree(orgId, size);
    const root = treeRoot(size, read);
    if (!verifyConsistency(size, signed.size, root, signed.rootHash, consistencyProof(size, signed.size, read))) throw nodesDisagree(orgId, size);
    return { read, roots: { size: root } };
  }
}

function nodesDisagree(orgId: string, size: number): StoreUnavailable {
  return new StoreUnavailable('the Merkle node store', `its nodes of org ${orgId} at size ${size} do not prove against the signed checkpoint; the server's self-check rebuilds them from the log`);
}
