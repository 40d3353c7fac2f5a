interface Slot<V> {
  value: V;
  /** The map's clock when the key was last put at the most recent end. */
  at: number;
}

/**
 * A bounded cache, least recently used out, a sixteenth of the limit at once. A V8 Map keeps the
 * slots its deletions leave, in its iteration order and in the hash chains, until it rebuilds its
 * table, so the plain way (delete and set again on every use, drop the first key past the limit)
 * costs more the fuller the map is: a hot key moved thousands of times took 5-35 µs a lookup in a
 * map of 9,000 (the dead copies of itself in its chain), and dropping the first key walked past
 * every slot freed before it (14-21 µs a set at 20,000, in micro-benches). So a key is moved only
 * once half the limit was set after it (until then it stays far from the end where keys leave),
 * and the oldest leave together, in one walk.
 */
export class RecentlyUsed<K, V> {
  private readonly slots = new Map<K, Slot<V>>();
  private clock = 0;

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    return this.slots.get(key)?.value;
  }

  set(key: K, value: V): void {
    const slot = this.slots.get(key);
    if (slot && this.clock - slot.at < this.limit / 2) {
      slot.value = value;
      return;
    }
    if (slot) this.slots.delete(key);
    this.slots.set(key, { value, at: ++this.clock });
    if (this.slots.size <= this.limit) return;
    // Never the key just set: it is the last.
    let excess = Math.min(this.slots.size - 1, this.slots.size - this.limit + Math.floor(this.limit / 16));
    for (const oldest of this.slots.keys()) {
      this.slots.delete(oldest);
      if (--excess <= 0) break;
    }
  }

  clear(): void {
    this.slots.clear();
  }
}
