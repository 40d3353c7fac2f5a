import { signCheckpoint, timestampLine } from '../../../src/transparency/checkpoint';
import { CompactRange, consistencyProof, leafHash, type Hash, type NodeId } from '../../../src/transparency/merkle-tree';
import type { NoteSigner } from '../../../src/transparency/signed-note';

/** When the checkpoints of a signed history say they were signed, unless told otherwise. */
const SIGNED_AT = new Date('2026-12-01T09:00:00Z');

/**
 * A log of `leaves` under `origin`, with every node kept: its checkpoints signed by `signer` at any
 * size (timestamped `at`, or with no timestamp line for null) and its consistency proofs. A fork
 * is the same log with other leaves.
 */
export function signedHistory(leaves: string[], signer: NoteSigner, origin: string) {
  const nodes = new Map<string, Hash>();
  const tree = CompactRange.empty();
  const roots = [tree.root()];
  for (const leaf of leaves) {
    for (const node of tree.append(leafHash(Buffer.from(leaf)))) nodes.set(`${node.level}/${node.index}`, node.hash);
    roots.push(tree.root());
  }
  const read = ({ level, index }: NodeId) => nodes.get(`${level}/${index}`)!;
  return {
    note: (size: number, at: Date | null = SIGNED_AT) => signCheckpoint({ origin, size, rootHash: roots[size], extensions: at ? [timestampLine(at)] : [] }, signer),
    proof: (from: number, to: number) => consistencyProof(from, to, read),
  };
}
