import { copyJson, matchesConditions, setFields, withFieldsSet, type DocumentChange, type FieldValues, type ReadModelDocument } from './document-change';

/** A document as a store keeps it: with the version of the last change applied to it. */
export interface StoredDocument {
  version: string;
  document: ReadModelDocument;
}

/**
 * What a change does to one document it targets (by id, or a candidate for a `where`): the new
 * stored document, null when it is deleted, undefined when the change does not apply to it.
 * A change applies only to a document older than itself, which makes replays harmless.
 *
 * `inPlace`: the stored document is the caller's to change (a batch's own copy), and the outcome
 * may be it, changed, or the change's own document (the changes are the batch's too): no copies are made.
 */
export function applyToDocument(
  stored: StoredDocument | undefined,
  change: DocumentChange,
  version: string,
  inPlace = false,
): StoredDocument | null | undefined {
  if (stored && stored.version >= version) return undefined;
  switch (change.kind) {
    case 'upsert':
      return { version, document: inPlace ? change.document : copyJson(change.document) };
    case 'insert':
      return stored ? undefined : { version, document: inPlace ? change.document : copyJson(change.document) };
    case 'patch':
      if (!stored || !matchesConditions(stored.document, change.when)) return undefined;
      return patched(stored, change.set, version, inPlace);
    case 'patchWhere':
      if (!stored || !matchesConditions(stored.document, change.where)) return undefined;
      return patched(stored, change.set, version, inPlace);
    case 'delete':
      return stored ? null : undefined;
    case 'deleteWhere':
      return stored && matchesConditions(stored.document, change.where) ? null : undefined;
  }
}

/** The stored document with the fields set: in place when it is the caller's (no new stored document for each change of a batch). */
function patched(stored: StoredDocument, values: FieldValues, version: string, inPlace: boolean): StoredDocument {
  if (!inPlace) return { version, document: withFieldsSet(stored.document, values) };
  setFields(stored.document, values);
  stored.version = version;
  return stored;
}
