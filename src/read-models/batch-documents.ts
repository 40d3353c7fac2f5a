import { applyToDocument, type StoredDocument } from '../../projections/apply-change';
import { matchesConditions, valueAt, type CollectionName, type Conditions, type DocumentChange, type ReadModelDocument, type VersionedChange } from '../../projections/document-change';
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
  /**
   * The batch's documents by the values of the fields `where` changes select by, per collection
   * and field list: a `where` change finds its candidates among them without walking the batch
   * (which made the fold grow with the square of the batch). A document's id fixes those fields
   * (see document-change.ts), so an id stays under one key. `read`: the keys whose stored
   * documents the batch has read already (all of them are held since, as the batch has them).
   */
  private readonly whereKeys = new Map<CollectionName, Map<string, { fields: readonly string[]; byKey: Map<string, Set<string>>; read: Set<string> }>>();

  constructor(private readonly stored: StoredDocuments) {}

  apply(versioned: VersionedChange): void {
    const { change, version } = versioned;
    const counted = COLLECTION_COUNTS[change.collection] !== undefined;
    if (counted) countedChangeId(versioned);
    const entries = this.entriesOf(change.collection);
    if (change.kind === 'patchWhere' || change.kind === 'deleteWhere') {
      // The documents the batch holds, as it has them; the others as stored, where the batch
      // has not changed them: those that match now matched before it.
      const fields = Object.keys(change.where);
      const keyed = this.keyedIds(change.collection, fields);
      const key = whereKey(change.where, fields);
      for (const id of [...keyed.byKey.get(key) ?? []]) {
        const entry = entries.get(id) as Entry;
        // The check applyToDocument would make, without the call (an unread insert is read first).
        if (entry.stored === null || (!entry.unread && !matchesConditions(entry.stored.document, change.where))) continue;
        this.applyTo(change.collection, id, entry, change, version);
      }
      // The same conditions again (an agent's browsers reset at each key change): the store would give the same documents.
      if (keyed.read.has(key)) return;
      keyed.read.add(key);
      for (const { id, stored } of this.stored.matching(change.collection, change.where)) {
        if (entries.has(id)) continue;
        const entry: Entry = { stored, changed: false, wasStored: true, unread: false };
        this.hold(change.collection, id, entry);
        this.applyTo(change.collection, id, entry, change, version);
      }
      return;
    }
    let entry = entries.get(change.id);
    if (!entry && change.kind === 'insert' && !counted) {
      // Never read: a later change of the batch to it reads what is stored first.
      this.hold(change.collection, change.id, { stored: { version, document: change.document }, changed: true, wasStored: false, unread: true });
      return;
    }
    if (!entry) {
      const stored = this.stored.read(change.collection, change.id) ?? null;
      this.hold(change.collection, change.id, (entry = { stored, changed: false, wasStored: stored !== null, unread: false }));
    }
    this.applyTo(change.collection, change.id, entry, change, version);
  }

  /** Every document the batch changed, once (an array: a generator built a result object per write besides the write). */
  writes(): DocumentWrite[] {
    const writes: DocumentWrite[] = [];
    for (const [collection, entries] of this.collections) {
      for (const [id, entry] of entries) {
        if (entry.changed && (entry.stored !== null || entry.wasStored)) writes.push({ collection, id, stored: entry.stored, insertOnly: entry.unread });
      }
    }
    return writes;
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
    if (outcome && !entry.stored) this.keyWhere(collection, id, outcome);
    entry.stored = outcome;
    entry.changed = true;
  }

  /** The batch inserted the document unread: a document already stored under its id keeps it (an insert never replaces). */
  private readInserted(collection: CollectionName, id: string, entry: Entry): void {
    const stored = this.stored.read(collection, id);
    entry.unread = false;
    if (stored) {
      entry.stored = stored;
      this.keyWhere(collection, id, stored);
      entry.changed = false;
      entry.wasStored = true;
    }
  }

  /** Adds a document to the batch. */
  private hold(collection: CollectionName, id: string, entry: Entry): void {
    this.entriesOf(collection).set(id, entry);
    if (entry.stored) this.keyWhere(collection, id, entry.stored);
  }

  /** Files a document the batch holds under its key of each field list `where` changes of its collection used. */
  private keyWhere(collection: CollectionName, id: string, stored: StoredDocument): void {
    for (const { fields, byKey } of this.whereKeys.get(collection)?.values() ?? []) {
      const key = documentKey(stored.document, fields);
      const ids = byKey.get(key);
      if (ids) ids.add(id);
      else byKey.set(key, new Set([id]));
    }
  }

  /** The batch's documents of a collection by their key for `fields`, filed at the first `where` on them. */
  private keyedIds(collection: CollectionName, fields: readonly string[]): { byKey: Map<string, Set<string>>; read: Set<string> } {
    let lists = this.whereKeys.get(collection);
    if (!lists) this.whereKeys.set(collection, (lists = new Map()));
    const name = fields.join(',');
    let list = lists.get(name);
    if (!list) {
      lists.set(name, (list = { fields, byKey: new Map(), read: new Set() }));
      for (const [id, entry] of this.entriesOf(collection)) if (entry.stored) this.keyWhere(collection, id, entry.stored);
    }
    return list;
  }

  private entriesOf(collection: CollectionName): Map<string, Entry> {
    let entries = this.collections.get(collection);
    if (!entries) this.collections.set(collection, (entries = new Map()));
    return entries;
  }
}

/** A `where`'s values of its fields. */
const whereKey = (where: Conditions, fields: readonly string[]): string => JSON.stringify(fields.map((field) => where[field]));

/** A document's values of the fields, null for a missing one, as matchesConditions compares them: the key of the `where` that selects it. */
const documentKey = (document: ReadModelDocument, fields: readonly string[]): string => JSON.stringify(fields.map((field) => valueAt(document, field) ?? null));
