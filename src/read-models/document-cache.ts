import type { StoredDocument } from '../../projections/apply-change';

/** A generation of the cache: documents (null: none under that id) by id, by table. */
type Generation = Map<string, Map<string, StoredDocument | null>>;

/**
 * Documents as a store's last batches committed them (null: none under that id), so that the
 * next batch takes them from here rather than reading and parsing them again. Bounded, in two
 * generations of up to half the capacity each: documents set or used go into the current one, and
 * when it is full the previous one is dropped whole, so the documents used longest ago go first.
 * A use costs a lookup or two in maps by table and id (an exact LRU list, with a key string per
 * use, was ~5% of a catch-up's CPU). The batch changes what it takes in place, so the store clears
 * it whenever a batch does not commit, and forgets a table's documents whenever another writer may
 * have changed them.
 */
export class DocumentCache {
  private current: Generation = new Map();
  private previous: Generation = new Map();
  /** Documents in the current generation. */
  private size = 0;

  constructor(private readonly capacity: number) {}

  /** undefined: not known here. */
  get(where: string, id: string): StoredDocument | null | undefined {
    const found = this.current.get(where)?.get(id);
    if (found !== undefined) return found;
    const previous = this.previous.get(where)?.get(id);
    if (previous !== undefined) this.set(where, id, previous);
    return previous;
  }

  set(where: string, id: string, stored: StoredDocument | null): void {
    let documents = this.current.get(where);
    if (documents?.has(id)) {
      documents.set(id, stored);
      return;
    }
    if (this.size >= this.capacity / 2) {
      this.previous = this.current;
      this.current = new Map();
      this.size = 0;
      documents = undefined;
    }
    if (!documents) this.current.set(where, (documents = new Map()));
    documents.set(id, stored);
    this.size += 1;
  }

  forget(where: string, id: string): void {
    // A document used again is in both generations; the current one's shadows the other.
    if (this.current.get(where)?.delete(id)) this.size -= 1;
    this.previous.get(where)?.delete(id);
  }

  /** Forgets every document of one table. */
  forgetAll(where: string): void {
    this.size -= this.current.get(where)?.size ?? 0;
    this.current.delete(where);
    this.previous.delete(where);
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
    this.size = 0;
  }
}
