import { Inject, Injectable } from '@nestjs/common';
import { refuse } from '../../domain/shared/refusal';
import { READ_MODEL_STORE, type ReadModelStore } from '../../read-models/read-model-store.port';
import { StoreUnavailable } from '../../shared/store-unavailable';
import { leafInput } from '../../transparency/event-leaf';
import { CHECKPOINT_SIGNED, type CheckpointSignedData } from '../../transparency/log-checkpointer';
import { LOG_KEY, type LogKey } from '../../transparency/log-key';
import { openOrgCheckpoint } from '../../transparency/log-keyring';
import { CompactRange, consistencyProof, inclusionProof, leafHash, type Hash, type NodeId, type NodeReader } from '../../transparency/merkle-tree';
import { InvalidQuery } from './invalid-query';

const PAGE = 1000;

const key = ({ level, index }: NodeId): string => `${level}/${index}`;

/**
 * The latest signed checkpoint of an org and proofs against it (R16), from the audit-log read
 * model: its rows are the export's lines, checkpoints included, in log order, so every event a
 * checkpoint covers is there before it. A proof rebuilds the org's tree from those rows, O(events
 * of the org) per answer (README: Verifiable audit log), and is served only when the rebuilt tree
 * has the root the checkpoint signed: a read model that disagrees with the log answers 503.
 */
@Injectable()
export class AuditProofs {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(LOG_KEY) private readonly logKey: LogKey,
  ) {}

  /** The note of the org's latest checkpoint; 404 CHECKPOINT_NOT_FOUND before its first. */
  async checkpoint(orgId: string): Promise<CheckpointSignedData> {
    const checkpoints = await this.store.find({
      collection: 'audit_log',
      conditions: [
        { field: 'orgId', op: 'eq', value: orgId },
        { field: 'type', op: 'eq', value: CHECKPOINT_SIGNED },
      ],
      orderBy: 'position',
    });
    const latest = checkpoints.at(-1);
    if (!latest) return refuse('NOT_FOUND', 'CHECKPOINT_NOT_FOUND', 'This organization has no signed checkpoint yet; one is made within LOG_CHECKPOINT_DELAY_MS of its first event.');
    return latest.data as unknown as CheckpointSignedData;
  }

  async consistency(orgId: string, from: number, to: number): Promise<Hash[]> {
    if (from > to) throw new InvalidQuery('INVALID_TREE_SIZE', '`from` must not exceed `to`.');
    return consistencyProof(from, to, await this.tree(orgId, to));
  }

  async inclusion(orgId: string, index: number, size: number): Promise<{ leafHash: Hash; proof: Hash[] }> {
    if (index >= size) throw new InvalidQuery('INVALID_TREE_SIZE', '`index` must be smaller than `size`.');
    const read = await this.tree(orgId, size);
    return { leafHash: read({ level: 0, index }), proof: inclusionProof(index, size, read) };
  }

  /** Every node (about two hashes per event) of the org's tree at its latest checkpoint, which must cover `size` events. */
  private async tree(orgId: string, size: number): Promise<NodeReader> {
    const { note } = await this.checkpoint(orgId);
    const signed = openOrgCheckpoint(note, this.logKey.keyring, orgId);
    if (size > signed.size) throw new InvalidQuery('INVALID_TREE_SIZE', `The latest checkpoint covers ${signed.size} events; ask for a size up to that.`);
    const nodes = new Map<string, Hash>();
    const tree = CompactRange.empty();
    let after: number | undefined;
    while (tree.size < signed.size) {
      const conditions = [{ field: 'orgId', op: 'eq' as const, value: orgId }, ...(after === undefined ? [] : [{ field: 'position', op: 'gt' as const, value: after }])];
      const rows = await this.store.find({ collection: 'audit_log', conditions, orderBy: 'position', limit: PAGE });
      for (const row of rows) {
        if (row.type === CHECKPOINT_SIGNED || tree.size === signed.size) continue;
        for (const node of tree.append(leafHash(leafInput(row as never)))) nodes.set(key(node), node.hash);
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].position as number;
    }
    if (tree.size !== signed.size || !tree.root().equals(signed.rootHash)) {
      const reason = `its rows do not rebuild the tree the latest checkpoint signed (size ${signed.size}); rebuild it from the log (npm run projections:rebuild -- audit-log)`;
      throw new StoreUnavailable('the audit-log read model', reason);
    }
    return (node) => nodes.get(key(node))!;
  }
}
