import type { StoredDocument } from '../../projections/apply-change';

/**
 * Documents as a store's last batches committed them (null: none under that id), so that the
 * next batch takes them from here rather than reading and parsing them again. Bounded: the
 * documents written longest ago go first. The batch changes what it takes in place, so the
 * store clears it whenever a batch does not commit, and whenever another writer may have
 * changed the documents.
 */
export class DocumentCache {
  private readonly documents = new Map<string, StoredDocument | null>();

  constructor(private readonly capacity: number) {}

  /** undefined: not known here. */
  get(where: string, id: string): StoredDocument | null | undefined {
    return this.documents.get(key(where, id));
  }

  set(where: string, id: string, stored: StoredDocument | null): void {
    const k = key(where, id);
    // Last written, last evicted.
    this.documents.delete(k);
    this.documents.set(k, stored);
    if (this.documents.size > this.capacity) this.documents.delete(this.documents.keys().next().value as string);
  }

  forget(where: string, id: string): void {
    this.documents.delete(key(where, id));
  }

  clear(): void {
    this.documents.clear();
  }
}

/** Table (or collection) names hold no NUL. */
const key = (where: string, id: string): string => `${where}\u0000${id}`;
