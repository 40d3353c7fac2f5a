import { applyToDocument, type StoredDocument } from '../../../projections/apply-change';
import type { CollectionName, VersionedChange } from '../../../projections/document-change';
import { countedChangeId, CountMoves } from '../count-moves';
import { COLLECTION_COUNTS, type CountedField } from '../read-model-schema';

/** What the batch reads and writes, inside the store's transaction. */
export interface DocumentTable {
  readDocument(collection: CollectionName, generation: number, id: string): StoredDocument | undefined;
  writeDocument(collection: CollectionName, generation: number, id: string, stored: StoredDocument | null): void;
  /** Stores it unless a document of that id exists. */
  insertDocument(collection: CollectionName, generation: number, id: string, stored: StoredDocument): void;
  applyWhere(change: VersionedChange, generation: number): void;
  addCounts(collection: CollectionName, generation: number, moves: CountMoves): void;
}

/** A document as the batch has it: null once deleted or never stored. */
interface Entry {
  stored: StoredDocument | null;
  changed: boolean;
}

/**
 * A batch's changes coalesced per document: each document a change names is read once, every
 * change of the batch is applied to it in memory by the reference semantics (applyToDocument),
 * and it is written once at the end. A change that selects by conditions (patchWhere,
 * deleteWhere) first writes what the batch holds of its collection, then runs over the table.
 */
export class BatchDocuments {
  private readonly collections = new Map<CollectionName, Map<string, Entry>>();
  private readonly moves = new Map<CollectionName, CountMoves>();

  constructor(
    private readonly table: DocumentTable,
    private readonly generation: number,
  ) {}

  apply(versioned: VersionedChange): void {
    const { change, version } = versioned;
    const counted = COLLECTION_COUNTS[change.collection];
    if (counted) countedChangeId(versioned);
    if (change.kind === 'patchWhere' || change.kind === 'deleteWhere') {
      this.flush(change.collection);
      this.table.applyWhere(versioned, this.generation);
      return;
    }
    if (change.kind === 'insert' && !counted && !this.collections.get(change.collection)?.has(change.id)) {
      // Written at once, unread: a later change of the batch to it reads it back from the table.
      this.table.insertDocument(change.collection, this.generation, change.id, { version, document: change.document });
      return;
    }
    const entry = this.entry(change.collection, change.id);
    const outcome = applyToDocument(entry.stored ?? undefined, change, version);
    if (outcome === undefined) return;
    if (counted) this.movesOf(change.collection, counted).record(entry.stored?.document, outcome?.document, version);
    entry.stored = outcome;
    entry.changed = true;
  }

  /** Writes every changed document of the batch, and the counts they moved. */
  flushAll(): void {
    for (const collection of this.collections.keys()) this.flush(collection);
    for (const [collection, moves] of this.moves) this.table.addCounts(collection, this.generation, moves);
    this.moves.clear();
  }

  private movesOf(collection: CollectionName, counted: CountedField): CountMoves {
    let moves = this.moves.get(collection);
    if (!moves) this.moves.set(collection, (moves = new CountMoves(counted)));
    return moves;
  }

  private flush(collection: CollectionName): void {
    const entries = this.collections.get(collection);
    if (!entries) return;
    for (const [id, entry] of entries) if (entry.changed) this.table.writeDocument(collection, this.generation, id, entry.stored);
    // The table is the truth again: a `where` change may change documents the batch held.
    this.collections.delete(collection);
  }

  private entry(collection: CollectionName, id: string): Entry {
    let entries = this.collections.get(collection);
    if (!entries) this.collections.set(collection, (entries = new Map()));
    let entry = entries.get(id);
    if (!entry) entries.set(id, (entry = { stored: this.table.readDocument(collection, this.generation, id) ?? null, changed: false }));
    return entry;
  }
}
