/** Buckets per map: a power of two, so a hash picks one with a mask. */
const BUCKETS = 128;

/** FNV-1a over the UTF-16 code units: cheap, and spreads ids well enough to balance the buckets. */
function bucketOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & (BUCKETS - 1);
}

/**
 * An immutable string-keyed map for aggregate state. `set` and `delete` copy the bucket index and
 * the one bucket the key falls in, not the whole map, so folding an org of 10,000 agents costs
 * about 10,000 x (128 + 10,000/128) copies instead of 10,000^2 / 2, and an evolved state never
 * changes the state it came from.
 */
export class PersistentMap<V> {
  private constructor(
    private readonly buckets: ReadonlyArray<ReadonlyMap<string, V> | undefined>,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(new Array<undefined>(BUCKETS).fill(undefined), 0);
  }

  get(key: string): V | undefined {
    return this.buckets[bucketOf(key)]?.get(key);
  }

  has(key: string): boolean {
    return this.buckets[bucketOf(key)]?.has(key) ?? false;
  }

  set(key: string, value: V): PersistentMap<V> {
    const index = bucketOf(key);
    const bucket = new Map(this.buckets[index]);
    const added = bucket.has(key) ? 0 : 1;
    bucket.set(key, value);
    return this.withBucket(index, bucket, this.size + added);
  }

  delete(key: string): PersistentMap<V> {
    const index = bucketOf(key);
    if (!this.buckets[index]?.has(key)) return this;
    const bucket = new Map(this.buckets[index]);
    bucket.delete(key);
    return this.withBucket(index, bucket, this.size - 1);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const bucket of this.buckets) if (bucket) yield* bucket;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  private withBucket(index: number, bucket: ReadonlyMap<string, V>, size: number): PersistentMap<V> {
    const buckets = this.buckets.slice();
    buckets[index] = bucket;
    return new PersistentMap(buckets, size);
  }
}
