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
 *
 * The stored documents are read ahead, sorted (by id, and `where` candidates by the values they
 * are selected by), and written sorted by id: SQLite then walks each table's B-tree in order
 * rather than jumping around a read-model file many times its page cache. Nothing is written
 * before the last change is applied, so a read ahead reads what a read in log order would have.
 */
export class BatchDocuments {
  private readonly collections = new Map<CollectionName, Map<string, Entry>>();
  private readonly moves = new Map<CollectionName, CountMoves>();
  /**
   * The batch's documents by the values of the fields `where` changes select by, per collection
   * and field list: a `where` change finds its candidates among them without walking the batch
   * (which made the fold grow with the square of the batch). A document's id fixes those fields
   * (see document-change.ts), so an id stays under one key.
   */
  private readonly whereKeys = new Map<CollectionName, Map<string, { fields: readonly string[]; byKey: Map<string, Set<string>> }>>();
  /** Stored documents read ahead (undefined: none stored), until the batch takes them, by collection and id. */
  private readonly readById = new Map<CollectionName, Map<string, StoredDocument | undefined>>();
  /** `where` candidates read ahead, until the first `where` with their conditions takes them, by aheadKey. */
  private readonly readByWhere = new Map<string, Array<{ id: string; stored: StoredDocument }>>();

  constructor(private readonly stored: StoredDocuments) {}

  /** Applies the batch's changes in log order, once the documents they need are read. */
  apply(changes: readonly VersionedChange[]): void {
    this.readAhead(changes);
    for (const change of changes) this.applyChange(change);
  }

  private applyChange(versioned: VersionedChange): void {
    const { change, version } = versioned;
    const counted = COLLECTION_COUNTS[change.collection] !== undefined;
    if (counted) countedChangeId(versioned);
    const entries = this.entriesOf(change.collection);
    if (change.kind === 'patchWhere' || change.kind === 'deleteWhere') {
      // The documents the batch holds, as it has them; the others as stored, where the batch
      // has not changed them: those that match now matched before it.
      const fields = Object.keys(change.where);
      for (const id of [...this.keyedIds(change.collection, fields).get(whereKey(change.where, fields)) ?? []]) {
        const entry = entries.get(id) as Entry;
        // The check applyToDocument would make, without the call (an unread insert is read first).
        if (entry.stored === null || (!entry.unread && !matchesConditions(entry.stored.document, change.where))) continue;
        this.applyTo(change.collection, id, entry, change, version);
      }
      for (const { id, stored } of this.takeMatching(change.collection, change.where)) {
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
      const stored = this.read(change.collection, change.id) ?? null;
      this.hold(change.collection, change.id, (entry = { stored, changed: false, wasStored: stored !== null, unread: false }));
    }
    this.applyTo(change.collection, change.id, entry, change, version);
  }

  /** Every document the batch changed, once, by collection and id (an array: a generator built a result object per write besides the write). */
  writes(): DocumentWrite[] {
    const writes: DocumentWrite[] = [];
    for (const [collection, entries] of this.collections) {
      for (const id of [...entries.keys()].sort()) {
        const entry = entries.get(id) as Entry;
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

  /**
   * Reads the documents the changes name and the candidates of their `where`s, sorted. Not the
   * documents only inserted into a collection not counted: the batch writes those unread.
   */
  private readAhead(changes: readonly VersionedChange[]): void {
    const ids = new Map<CollectionName, Set<string>>();
    const wheres = new Map<string, { collection: CollectionName; where: Conditions }>();
    for (const { change } of changes) {
      if (change.kind === 'patchWhere' || change.kind === 'deleteWhere') wheres.set(aheadKey(change.collection, change.where), change);
      else if (change.kind !== 'insert' || COLLECTION_COUNTS[change.collection] !== undefined) {
        let named = ids.get(change.collection);
        if (!named) ids.set(change.collection, (named = new Set()));
        named.add(change.id);
      }
    }
    for (const [collection, named] of ids) {
      const read = new Map<string, StoredDocument | undefined>();
      for (const id of [...named].sort()) read.set(id, this.stored.read(collection, id));
      this.readById.set(collection, read);
    }
    for (const key of [...wheres.keys()].sort()) {
      const { collection, where } = wheres.get(key) as { collection: CollectionName; where: Conditions };
      this.readByWhere.set(key, [...this.stored.matching(collection, where)]);
    }
  }

  /** A stored document, read ahead or now (each is taken once: the batch changes it in place). */
  private read(collection: CollectionName, id: string): StoredDocument | undefined {
    const ahead = this.readById.get(collection);
    if (!ahead?.has(id)) return this.stored.read(collection, id);
    const stored = ahead.get(id);
    ahead.delete(id);
    return stored;
  }

  /**
   * A `where`'s candidates as stored, read ahead: none for the same conditions again (an agent's
   * browsers reset at each key change), the store would give the same documents, which the batch holds.
   */
  private takeMatching(collection: CollectionName, where: Conditions): Array<{ id: string; stored: StoredDocument }> {
    const key = aheadKey(collection, where);
    const candidates = this.readByWhere.get(key) ?? [];
    this.readByWhere.delete(key);
    return candidates;
  }

  /** The batch inserted the document unread: a document already stored under its id keeps it (an insert never replaces). */
  private readInserted(collection: CollectionName, id: string, entry: Entry): void {
    const stored = this.read(collection, id);
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
  private keyedIds(collection: CollectionName, fields: readonly string[]): Map<string, Set<string>> {
    let lists = this.whereKeys.get(collection);
    if (!lists) this.whereKeys.set(collection, (lists = new Map()));
    const name = fields.join(',');
    let list = lists.get(name);
    if (!list) {
      lists.set(name, (list = { fields, byKey: new Map() }));
      for (const [id, entry] of this.entriesOf(collection)) if (entry.stored) this.keyWhere(collection, id, entry.stored);
    }
    return list.byKey;
  }

  private entriesOf(collection: CollectionName): Map<string, Entry> {
    let entries = this.collections.get(collection);
    if (!entries) this.collections.set(collection, (entries = new Map()));
    return entries;
  }
}

/** A `where` of a collection, its fields and values: `where`s read ahead sort by it, so each index is read in order of its values. */
const aheadKey = (collection: CollectionName, where: Conditions): string => {
  const fields = Object.keys(where);
  return `${collection} ${fields.join(',')} ${whereKey(where, fields)}`;
};

/** A `where`'s values of its fields. */
const whereKey = (where: Conditions, fields: readonly string[]): string => JSON.stringify(fields.map((field) => where[field]));

/** A document's values of the fields, null for a missing one, as matchesConditions compares them: the key of the `where` that selects it. */
const documentKey = (document: ReadModelDocument, fields: readonly string[]): string => JSON.stringify(fields.map((field) => valueAt(document, field) ?? null));
