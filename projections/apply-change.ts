import { matchesConditions, withFieldsSet, type DocumentChange, type ReadModelDocument } from './document-change';

/** A document as a store keeps it: with the version of the last change applied to it. */
export interface StoredDocument {
  version: string;
  document: ReadModelDocument;
}

/**
 * What a change does to one document it targets (by id, or a candidate for a `where`): the new
 * stored document, null when it is deleted, undefined when the change does not apply to it.
 * A change applies only to a document older than itself, which makes replays harmless.
 */
export function applyToDocument(
  stored: StoredDocument | undefined,
  change: DocumentChange,
  version: string,
): StoredDocument | null | undefined {
  if (stored && stored.version >= version) return undefined;
  switch (change.kind) {
    case 'upsert':
      return { version, document: structuredClone(change.document) };
    case 'insert':
      return stored ? undefined : { version, document: structuredClone(change.document) };
    case 'patch':
      if (!stored || !matchesConditions(stored.document, change.when)) return undefined;
      return { version, document: withFieldsSet(stored.document, change.set) };
    case 'patchWhere':
      if (!stored || !matchesConditions(stored.document, change.where)) return undefined;
      return { version, document: withFieldsSet(stored.document, change.set) };
    case 'delete':
      return stored ? null : undefined;
    case 'deleteWhere':
      return stored && matchesConditions(stored.document, change.where) ? null : undefined;
  }
}
