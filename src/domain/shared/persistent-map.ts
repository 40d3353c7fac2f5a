/** A 32-way trie three levels deep, indexed by 15 bits of the key's hash; leaves hold the entries. */
const BITS = 5;
const WIDTH = 1 << BITS;
const DEPTH = 3;

type Leaf<V> = ReadonlyArray<readonly [string, V]>;
/**
 * The children a branch has, in slot order, and a bit per slot that holds one: a branch is as
 * long as its children, not 32 slots (an org of 10 agents held 21 mostly empty 32-slot arrays,
 * about 6 KB, in every cached state of it).
 */
interface Branch<V> {
  readonly slots: number;
  readonly children: ReadonlyArray<Branch<V> | Leaf<V>>;
}

/**
 * FNV-1a over the UTF-16 code units, cheap and spreading ids well enough to balance the trie, with
 * ASCII letters taken in lower case: keys that differ in that case alone share a leaf, so
 * `keysInAnyCase` reads one leaf instead of a second index of every key.
 */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    hash = Math.imul(hash ^ (unit >= 0x41 && unit <= 0x5a ? unit | 0x20 : unit), 0x01000193);
  }
  return hash >>> 0;
}

/** The key with its ASCII letters in lower case: what keysInAnyCase compares (toLowerCase would fold other scripts too). */
const asciiLower = (key: string): string => key.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

const slot = (hash: number, level: number): number => (hash >>> (level * BITS)) & (WIDTH - 1);

/** Set bits of a 32-bit word. */
function bitCount(word: number): number {
  let bits = word - ((word >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return (((bits + (bits >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Where the child for `bit` is (or goes) among a branch's children. */
const childIndex = (slots: number, bit: number): number => bitCount(slots & (bit - 1));

/** A copy of the path from `node` at `level` down to the leaf of `hash`, with that leaf changed. */
function withLeaf<V>(
  node: Branch<V> | Leaf<V> | undefined,
  level: number,
  hash: number,
  change: (leaf: Leaf<V>) => Leaf<V>,
): Branch<V> | Leaf<V> {
  if (level === DEPTH) return change((node as Leaf<V> | undefined) ?? []);
  const branch = node as Branch<V> | undefined;
  const slots = branch?.slots ?? 0;
  const bit = 1 << slot(hash, level);
  const index = childIndex(slots, bit);
  const children = branch?.children ?? [];
  const has = (slots & bit) !== 0;
  const child = withLeaf(has ? children[index] : undefined, level + 1, hash, change);
  return { slots: slots | bit, children: copyWith(children, index, child, has) };
}

/** `items` with `item` at `index`, replacing or inserted, in an array of exactly that length (a growing one keeps spare slots). */
function copyWith<T>(items: readonly T[], index: number, item: T, replace: boolean): T[] {
  const copy = new Array<T>(replace ? items.length : items.length + 1);
  for (let i = 0; i < index; i++) copy[i] = items[i];
  copy[index] = item;
  for (let i = replace ? index + 1 : index, to = index + 1; i < items.length; i++, to++) copy[to] = items[i];
  return copy;
}

/** The leaf with `key`'s entry (the old one dropped) last, in an array of exactly its length. */
function withEntryLast<V>(leaf: Leaf<V>, key: string, value: V, replace: boolean): Leaf<V> {
  const copy = new Array<readonly [string, V]>(replace ? leaf.length : leaf.length + 1);
  let to = 0;
  for (const entry of leaf) if (entry[0] !== key) copy[to++] = entry;
  copy[to] = [key, value];
  return copy;
}

function* entriesOf<V>(node: Branch<V> | Leaf<V> | undefined, level: number): Generator<[string, V]> {
  if (!node) return;
  if (level === DEPTH) for (const [key, value] of node as Leaf<V>) yield [key, value];
  else for (const child of (node as Branch<V>).children) yield* entriesOf(child, level + 1);
}

/**
 * An immutable string-keyed map for aggregate state. `set` and `delete` copy three branches (at
 * most 32 children each) and one small leaf, not the whole map, so folding an org of 10,000
 * agents costs 10,000 small copies instead of 10,000^2 / 2 entry copies, and an evolved state
 * never changes the one it came from.
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
    const root = withLeaf<V>(this.root, 0, hashOf(key), (leaf) => withEntryLast(leaf, key, value, added === 0));
    return new PersistentMap<V>(root, this.size + added);
  }

  delete(key: string): PersistentMap<V> {
    if (!this.has(key)) return this;
    const root = withLeaf<V>(this.root, 0, hashOf(key), (leaf) => leaf.filter(([candidate]) => candidate !== key));
    return new PersistentMap<V>(root, this.size - 1);
  }

  /** The keys that equal `key` but for the case of ASCII letters, `key` among them if it is one: one leaf read. */
  keysInAnyCase(key: string): string[] {
    const lower = asciiLower(key);
    return (this.leafOf(key) ?? []).filter(([candidate]) => candidate.length === key.length && asciiLower(candidate) === lower).map(([candidate]) => candidate);
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
    for (let level = 0; level < DEPTH && node; level++) {
      const { slots, children } = node as Branch<V>;
      const bit = 1 << slot(hash, level);
      node = slots & bit ? children[childIndex(slots, bit)] : undefined;
    }
    return node as Leaf<V> | undefined;
  }
}
