import { LRUCache } from 'lru-cache';
import type { StoredDocument } from '../../projections/apply-change';

/**
 * Documents as a store's last batches committed them (null: none under that id), so that the
 * next batch takes them from here rather than reading and parsing them again. Bounded: the
 * documents used longest ago go first. The batch changes what it takes in place, so the
 * store clears it whenever a batch does not commit, and whenever another writer may have
 * changed the documents.
 */
export class DocumentCache {
  private readonly documents: LRUCache<string, { stored: StoredDocument | null }>;

  constructor(capacity: number) {
    this.documents = new LRUCache({ max: capacity });
  }

  /** undefined: not known here. */
  get(where: string, id: string): StoredDocument | null | undefined {
    return this.documents.get(key(where, id))?.stored;
  }

  set(where: string, id: string, stored: StoredDocument | null): void {
    this.documents.set(key(where, id), { stored });
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
