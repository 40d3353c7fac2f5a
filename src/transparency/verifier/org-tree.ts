import { CompactRange, EMPTY_ROOT, type Hash } from '../merkle-tree';

/**
 * The org's tree: its right edge (O(log n) hashes) over its first leaves, and the leaf hashes after
 * it, fewer than twice `window`. A checkpoint signs the tree as it stood a moment before it was
 * appended, so it lands a few leaves behind the file: its root is the edge's once moved to its
 * size. Leaves are hashed at once but combined only up to the sizes asked about, so a root costs
 * O(log n) per checkpoint, not per event. Once twice the window of leaves follow the edge (a tail
 * no checkpoint covers yet), all but the last window are folded into it: memory stays bounded,
 * and a checkpoint signing a size the edge has passed is checked on a second read of the file.
 */
export class OrgTree {
  private readonly edge = CompactRange.empty();
  private pending: Hash[] = [];
  private next = 0;
  private last = { size: 0, root: EMPTY_ROOT };

  constructor(
    private readonly window: number,
    private readonly onSize?: (size: number, root: () => Hash) => void,
  ) {}

  /** The last root computed, and its size. */
  get computed(): { size: number; root: Hash } {
    return this.last;
  }

  get size(): number {
    return this.edge.size + this.pending.length - this.next;
  }

  append(leaf: Hash): void {
    this.pending.push(leaf);
    if (this.pending.length - this.next >= 2 * this.window) this.fold(this.size - this.window);
  }

  /** The root at `size`, undefined when the edge has passed it. */
  rootAt(size: number): Hash | undefined {
    if (size === 0) return EMPTY_ROOT;
    if (size < this.edge.size) return undefined;
    this.fold(size);
    this.last = { size, root: this.edge.root() };
    return this.last.root;
  }

  /** Moves the edge to `size`. */
  private fold(size: number): void {
    while (this.edge.size < size) {
      this.edge.append(this.pending[this.next++]);
      this.onSize?.(this.edge.size, () => this.edge.root());
    }
    if (this.next > 4096 && this.next * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.next);
      this.next = 0;
    }
  }
}

/** A root as the verdict and its messages write it. */
export const b64 = (hash: Hash): string => hash.toString('base64');
