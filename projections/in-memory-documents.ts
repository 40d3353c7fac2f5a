import { applyToDocument, type StoredDocument } from './apply-change';
import type { CollectionName, ReadModelDocument, VersionedChange } from './document-change';

/**
 * The reference store of the change vocabulary: projection tests read it, adapters are compared
 * with it, and a query brings documents it read from a store up to the log's tail in it.
 */
export class InMemoryDocuments {
  private readonly collections = new Map<CollectionName, Map<string, StoredDocument>>();

  /** Holds a document as a store gave it: older than every change applied after. */
  put(collection: CollectionName, id: string, document: ReadModelDocument): void {
    this.collection(collection).set(id, { version: '', document });
  }

  apply(changes: readonly VersionedChange[]): void {
    for (const { change, version } of changes) {
      const documents = this.collection(change.collection);
      const targets = 'id' in change ? [change.id] : [...documents.keys()];
      for (const id of targets) {
        const outcome = applyToDocument(documents.get(id), change, version);
        if (outcome === null) documents.delete(id);
        else if (outcome) documents.set(id, outcome);
      }
    }
  }

  get(collection: CollectionName, id: string): ReadModelDocument | undefined {
    return this.collection(collection).get(id)?.document;
  }

  /** Every document of the collection with its id and version, by id. */
  dump(collection: CollectionName): Array<{ id: string } & StoredDocument> {
    return [...this.collection(collection).entries()]
      .map(([id, stored]) => ({ id, ...stored }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private collection(name: CollectionName): Map<string, StoredDocument> {
    let documents = this.collections.get(name);
    if (!documents) this.collections.set(name, (documents = new Map()));
    return documents;
  }
}
