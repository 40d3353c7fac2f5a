import { applyToDocument, type StoredDocument } from '../../projections/apply-change';
import { matchesConditions, type CollectionName, type Conditions, type DocumentChange, type VersionedChange } from '../../projections/document-change';
import { countedChangeId, CountMoves } from './count-moves';
import { COLLECTION_COUNTS } from './read-model-schema';

/**
 * A generation's documents as they were before the batch, as the batch reads them. Each read
 * gives the batch a document of its own (it is changed in place).
 */
export interface StoredDocuments {
  read(collection: CollectionName, id: string): StoredDocument | undefined;
  /** The documents whose top-level fields match `where` (null also matching a missing field): the candidates of a `where` change. */
  matching(collection: CollectionName, where: Conditions): Iterable<{ id: string; stored: StoredDocument }>;
}

/** What a batch made of one document, to be written once. */
export interface DocumentWrite {
  collection: CollectionName;
  id: string;
  /** null: deleted. */
  stored: StoredDocument | null;
  /** An insert the batch applied without reading the document: written only where none of that id is stored. */
  insertOnly: boolean;
}

/** A document as the batch has it: null once deleted or never stored. */
interface Entry {
  stored: StoredDocument | null;
  changed: boolean;
  /** Whether a document was stored under its id before the batch: one it created and deleted needs no write. */
  wasStored: boolean;
  /** An insert not yet checked against the stored document (see DocumentWrite.insertOnly). */
  unread: boolean;
}

/**
 * A batch's changes coalesced per document, before any write: each document a change names (or a
 * `where` change selects) is read once, every change of the batch is applied to it in memory by
 * the reference semantics (applyToDocument), and each changed document is written once, with the
 * version of the last change applied to it, which is what applying the changes one by one would
 * have stored. The counts of counted collections move as the documents do.
 */
export class BatchDocuments {
  private readonly collections = new Map<CollectionName, Map<string, Entry>>();
  private readonly moves = new Map<CollectionName, CountMoves>();

  constructor(private readonly stored: StoredDocuments) {}

  apply(versioned: VersionedChange): void {
    const { change, version } = versioned;
    const counted = COLLECTION_COUNTS[change.collection] !== undefined;
    if (counted) countedChangeId(versioned);
    const entries = this.entriesOf(change.collection);
    if (change.kind === 'patchWhere' || change.kind === 'deleteWhere') {
      // The documents the batch holds, as it has them; the others as stored, where the batch
      // has not changed them: those that match now matched before it.
      for (const [id, entry] of entries) {
        // Most of the batch's documents are not selected: the check applyToDocument would make, without the call.
        if (entry.stored === null || (!entry.unread && !matchesConditions(entry.stored.document, change.where))) continue;
        this.applyTo(change.collection, id, entry, change, version);
      }
      for (const { id, stored } of this.stored.matching(change.collection, change.where)) {
        if (entries.has(id)) continue;
        const entry: Entry = { stored, changed: false, wasStored: true, unread: false };
        entries.set(id, entry);
        this.applyTo(change.collection, id, entry, change, version);
      }
      return;
    }
    let entry = entries.get(change.id);
    if (!entry && change.kind === 'insert' && !counted) {
      // Never read: a later change of the batch to it reads what is stored first.
      entries.set(change.id, { stored: { version, document: change.document }, changed: true, wasStored: false, unread: true });
      return;
    }
    if (!entry) {
      const stored = this.stored.read(change.collection, change.id) ?? null;
      entries.set(change.id, (entry = { stored, changed: false, wasStored: stored !== null, unread: false }));
    }
    this.applyTo(change.collection, change.id, entry, change, version);
  }

  /** Every document the batch changed, once. */
  *writes(): Generator<DocumentWrite> {
    for (const [collection, entries] of this.collections) {
      for (const [id, entry] of entries) {
        if (entry.changed && (entry.stored !== null || entry.wasStored)) yield { collection, id, stored: entry.stored, insertOnly: entry.unread };
      }
    }
  }

  /** What the batch did to the counts, by counted collection. */
  countMoves(): ReadonlyMap<CollectionName, CountMoves> {
    return this.moves;
  }

  private applyTo(collection: CollectionName, id: string, entry: Entry, change: DocumentChange, version: string): void {
    if (entry.unread) this.readInserted(collection, id, entry);
    const counted = COLLECTION_COUNTS[collection];
    let moves: CountMoves | undefined;
    if (counted && !(moves = this.moves.get(collection))) this.moves.set(collection, (moves = new CountMoves(counted)));
    // Taken before the change: it changes the document in place.
    const left = moves && entry.stored ? moves.countedAs(entry.stored.document) : undefined;
    const outcome = applyToDocument(entry.stored ?? undefined, change, version, true);
    if (outcome === undefined) return;
    moves?.move(left, outcome ? moves.countedAs(outcome.document) : undefined, version);
    entry.stored = outcome;
    entry.changed = true;
  }

  /** The batch inserted the document unread: a document already stored under its id keeps it (an insert never replaces). */
  private readInserted(collection: CollectionName, id: string, entry: Entry): void {
    const stored = this.stored.read(collection, id);
    entry.unread = false;
    if (stored) {
      entry.stored = stored;
      entry.changed = false;
      entry.wasStored = true;
    }
  }

  private entriesOf(collection: CollectionName): Map<string, Entry> {
    let entries = this.collections.get(collection);
    if (!entries) this.collections.set(collection, (entries = new Map()));
    return entries;
  }
}
