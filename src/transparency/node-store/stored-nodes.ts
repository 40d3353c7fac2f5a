import { proofNodes, type Hash, type NodeId, type NodeReader, type ProofRequest } from '../merkle-tree';
import type { MerkleNodeStore } from './merkle-node-store.port';

const key = ({ level, index }: { level: number; index: number }): string => `${level}/${index}`;

/**
 * The nodes of an org's tree that these roots and proofs read (and any other nodes named, a
 * leaf say), fetched from the store in one call (O(log n) nodes each); undefined when one is not stored.
 */
export async function storedNodes(store: Pick<MerkleNodeStore, 'nodes'>, orgId: string, requests: readonly ProofRequest[], others: readonly NodeId[] = []): Promise<NodeReader | undefined> {
  const ids = [...new Map([...requests.flatMap(proofNodes), ...others].map((id) => [key(id), id])).values()];
  const hashes = await store.nodes(orgId, ids);
  if (hashes.some((hash) => hash === undefined)) return undefined;
  const byId = new Map(ids.map((id, i) => [key(id), hashes[i] as Hash]));
  return (id) => {
    const hash = byId.get(key(id));
    if (hash === undefined) throw new RangeError(`node ${key(id)} was not fetched`);
    return hash;
  };
}
