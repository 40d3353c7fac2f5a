/** A 32-way trie three levels deep, indexed by 15 bits of the key's hash; leaves hold the entries. */
const BITS = 5;
const WIDTH = 1 << BITS;
const DEPTH = 3;

type Leaf<V> = ReadonlyArray<readonly [string, V]>;
type Branch<V> = ReadonlyArray<Branch<V> | Leaf<V> | undefined>;

/** FNV-1a over the UTF-16 code units: cheap, and spreads ids well enough to balance the trie. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

const slot = (hash: number, level: number): number => (hash >>> (level * BITS)) & (WIDTH - 1);

/** A copy of the path from `node` at `level` down to the leaf of `hash`, with that leaf changed. */
function withLeaf<V>(
  node: Branch<V> | Leaf<V> | undefined,
  level: number,
  hash: number,
  change: (leaf: Leaf<V>) => Leaf<V>,
): Branch<V> | Leaf<V> {
  if (level === DEPTH) return change((node as Leaf<V> | undefined) ?? []);
  const branch = node ? (node as Branch<V>).slice() : new Array<undefined>(WIDTH);
  const index = slot(hash, level);
  branch[index] = withLeaf(branch[index], level + 1, hash, change);
  return branch;
}

function* entriesOf<V>(node: Branch<V> | Leaf<V> | undefined, level: number): Generator<[string, V]> {
  if (!node) return;
  if (level === DEPTH) for (const [key, value] of node as Leaf<V>) yield [key, value];
  else for (const child of node as Branch<V>) yield* entriesOf(child, level + 1);
}

/**
 * An immutable string-keyed map for aggregate state. `set` and `delete` copy three 32-slot arrays
 * and one small leaf, not the whole map, so folding an org of 10,000 agents costs 10,000 small
 * copies instead of 10,000^2 / 2 entry copies, and an evolved state never changes the one it came
 * from.
 */
export class PersistentMap<V> {
  private constructor(
    private readonly root: Branch<V> | Leaf<V> | undefined,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(undefined, 0);
  }

  get(key: string): V | undefined {
    return this.leafOf(key)?.find(([candidate]) => candidate === key)?.[1];
  }

  has(key: string): boolean {
    return this.leafOf(key)?.some(([candidate]) => candidate === key) ?? false;
  }

  set(key: string, value: V): PersistentMap<V> {
    const added = this.has(key) ? 0 : 1;
    const root = withLeaf<V>(this.root, 0, hashOf(key), (leaf) => [
      ...leaf.filter(([candidate]) => candidate !== key),
      [key, value],
    ]);
    return new PersistentMap<V>(root, this.size + added);
  }

  delete(key: string): PersistentMap<V> {
    if (!this.has(key)) return this;
    const root = withLeaf<V>(this.root, 0, hashOf(key), (leaf) => leaf.filter(([candidate]) => candidate !== key));
    return new PersistentMap<V>(root, this.size - 1);
  }

  entries(): IterableIterator<[string, V]> {
    return entriesOf<V>(this.root, 0);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  private leafOf(key: string): Leaf<V> | undefined {
    const hash = hashOf(key);
    let node = this.root;
    for (let level = 0; level < DEPTH && node; level++) node = (node as Branch<V>)[slot(hash, level)];
    return node as Leaf<V> | undefined;
  }
}
