import type { StoredNode } from '../merkle-tree';
import type { MerkleNodeStore } from './merkle-node-store.port';

/** The last leaf a node covers, plus one: the size of tree from which the node is stored. */
const coveredBy = ({ level, index }: StoredNode): number => (index + 1) * 2 ** level;

/**
 * Every node of each org's tree the check re-derives from the log, compared with the stored one as
 * the check goes (a page of the log at a time): a wrong or missing node anywhere in the tree, where
 * the roots compared at the end read only its right edge. Found from outside: a leaf hash altered in
 * the node store made that leaf's proofs answer 503 for good, while every check agreed with the
 * store and none rebuilt it. The first disagreement of each org is kept; a store that cannot be read
 * ends the comparison (the check of the log goes on), its error kept.
 */
export class StoredNodesComparison {
  private readonly found = new Map<string, string>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly store: Pick<MerkleNodeStore, 'org' | 'nodes'>) {}

  /** Compares these nodes of each org (LogIntegrityCheck.takeCompletedNodes) with the stored ones. */
  async compare(completed: ReadonlyMap<string, readonly StoredNode[]>): Promise<void> {
    if (this.failure) return;
    try {
      for (const [orgId, nodes] of completed) {
        if (this.found.has(orgId)) continue;
        const stored = await this.store.nodes(orgId, nodes);
        for (const [i, node] of nodes.entries()) {
          const hash = stored[i];
          const wrong = hash === undefined ? (await this.missing(orgId, node)) && 'is missing' : !hash.equals(node.hash) && 'is not the one the log gives';
          if (wrong) {
            this.found.set(orgId, `org ${orgId}: its stored node at level ${node.level}, index ${node.index} ${wrong}`);
            break;
          }
        }
      }
    } catch (error) {
      this.failure = { error };
    }
  }

  /**
   * A node not stored is missing only where the org's stored tree covers its leaves: else the
   * follower has not stored it yet. Asked of the store again after the node, so that a node the
   * follower stored meanwhile is found.
   */
  private async missing(orgId: string, node: StoredNode): Promise<boolean> {
    const size = (await this.store.org(orgId))?.size ?? 0;
    if (coveredBy(node) > size) return false;
    const [again] = await this.store.nodes(orgId, [node]);
    return again === undefined;
  }

  /** The disagreements found, one an org at most; undefined when the store could not be read (told to `onError`). */
  result(onError: (error: unknown) => void): string[] | undefined {
    if (this.failure) {
      onError(this.failure.error);
      return undefined;
    }
    return [...this.found.values()];
  }
}
