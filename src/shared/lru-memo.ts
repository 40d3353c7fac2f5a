/**
 * A pure function's results by key, at most `limit` of them, the least recently used out first.
 * A hit moves its entry to the back: what is in use stays however many other keys pass through.
 * (Dropping the oldest insertion instead, when more keys than `limit` come round in the same
 * order, misses on every one: each result computed pushes out the next one to be asked for.)
 */
export class LruMemo<V> {
  private readonly results = new Map<string, V>();

  constructor(
    private readonly limit: number,
    private readonly compute: (key: string) => V,
  ) {}

  get(key: string): V {
    if (this.results.has(key)) {
      const value = this.results.get(key) as V;
      this.results.delete(key);
      this.results.set(key, value);
      return value;
    }
    const value = this.compute(key);
    if (this.results.size >= this.limit) this.results.delete(this.results.keys().next().value as string);
    this.results.set(key, value);
    return value;
  }
}
