/**
 * The changes a projection makes to read-model documents, in a vocabulary every store applies
 * the same way (embedded SQLite, MongoDB, and the in-memory reference of the tests).
 *
 * Applying is idempotent without transactions: every stored document keeps the version of the
 * last change applied to it, and a change applies only to documents whose version is older.
 * Field paths are fixed field names joined by "." and never hold data (ids may contain ".").
 *
 * A document's id fixes the fields a `where` selects it by (a browser belongs to one agent):
 * deletes leave no trace, so a replay that re-runs an insert the first run ignored (its id was
 * taken) must recreate the same document for the later `where` changes to find it again.
 */

import type { JsonObject, JsonValue, Scalar } from '../src/shared/json-value';

export type ReadModelDocument = JsonObject;

export const COLLECTIONS = ['pending_keys', 'key_approvals', 'agent_status', 'agent_browsers', 'audit_log', 'key_intervals', 'role_changes', 'browser_windows', 'recoveries'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

/** Equality conditions on field paths; null also matches a missing field (as in MongoDB). */
export type Conditions = Record<string, Scalar>;
/** New values of field paths; the parent of a nested path must be an object already. */
export type FieldValues = Record<string, JsonValue>;

/** Creates the document or replaces it whole. */
export interface UpsertDocument {
  kind: 'upsert';
  collection: CollectionName;
  id: string;
  document: ReadModelDocument;
}

/** Creates the document when it is missing and never changes it: for documents that never change (the audit trail). */
export interface InsertDocument {
  kind: 'insert';
  collection: CollectionName;
  id: string;
  document: ReadModelDocument;
}

/** Sets fields of the document when it exists and matches `when`. */
export interface PatchDocument {
  kind: 'patch';
  collection: CollectionName;
  id: string;
  set: FieldValues;
  when?: Conditions;
}

/** Sets fields of every document whose top-level fields match `where`. */
export interface PatchDocuments {
  kind: 'patchWhere';
  collection: CollectionName;
  where: Conditions;
  set: FieldValues;
}

export interface DeleteDocument {
  kind: 'delete';
  collection: CollectionName;
  id: string;
}

/** Deletes every document whose top-level fields match `where`. */
export interface DeleteDocuments {
  kind: 'deleteWhere';
  collection: CollectionName;
  where: Conditions;
}

export type DocumentChange = UpsertDocument | InsertDocument | PatchDocument | PatchDocuments | DeleteDocument | DeleteDocuments;

/** A change with the version it gives the documents it touches. */
export interface VersionedChange {
  change: DocumentChange;
  version: string;
}

/**
 * The version of the `index`-th change an event makes: its position, then its index, as a string
 * that sorts like the pair in every store (positions are unsigned 64-bit: 20 digits).
 */
export function changeVersion(position: bigint, index: number): string {
  // Joined, not concatenated: see documentId.
  return [versionAt(position), indexPart(index)].join('');
}

/**
 * A document id of parts joined by "~". Joined rather than concatenated: a concatenation is a
 * rope (cons string) that the batch's fold flattens when it first hashes or compares it, by then
 * moved to the old generation with the rest of the batch, where that costs several times as much.
 */
export const documentId = (...parts: string[]): string => parts.join('~');

/** Gives each change one event makes its version. */
export function versionChanges(position: bigint, changes: readonly DocumentChange[]): VersionedChange[] {
  return changes.map((change, index) => ({ change, version: changeVersion(position, index) }));
}

/** The runner's lanes version one event's changes in turn: its position is padded once for all of them. */
let lastPosition: bigint | undefined;
let lastAt = '';
function versionAt(position: bigint): string {
  if (position !== lastPosition) {
    lastAt = `${position.toString().padStart(20, '0')}.`;
    lastPosition = position;
  }
  return lastAt;
}

/** An event makes a few changes: their index parts are built once. */
const INDEX_PARTS = Array.from({ length: 16 }, (_, index) => index.toString().padStart(3, '0'));
const indexPart = (index: number): string => INDEX_PARTS[index] ?? index.toString().padStart(3, '0');

/** The value at a field path; undefined when a step is missing or not an object. */
export function valueAt(document: ReadModelDocument, path: string): JsonValue | undefined {
  if (!path.includes('.')) return document[path];
  let value: JsonValue | undefined = document;
  for (const field of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = value[field];
  }
  return value;
}

export function matchesConditions(document: ReadModelDocument, conditions: Conditions = {}): boolean {
  for (const path in conditions) if ((valueAt(document, path) ?? null) !== conditions[path]) return false;
  return true;
}

/**
 * A copy of the document with the fields set. As in MongoDB, missing parents of a nested path are
 * created and a parent that is not an object (null, say) is an error.
 */
export function withFieldsSet(document: ReadModelDocument, values: FieldValues): ReadModelDocument {
  return setFields(copyJson(document), values);
}

/** Sets the fields in the document itself (one the caller owns), as withFieldsSet does in a copy; returns it. */
export function setFields(document: ReadModelDocument, values: FieldValues): ReadModelDocument {
  for (const path in values) {
    const value = values[path];
    // The document must not share an object with the change: a later change may set inside it.
    const copy = copyJson(value);
    if (!path.includes('.')) {
      document[path] = copy;
      continue;
    }
    const fields = path.split('.');
    const last = fields.pop() as string;
    let parent = document;
    for (const field of fields) {
      const next: JsonValue = parent[field] === undefined ? (parent[field] = {}) : parent[field];
      if (!isObject(next)) throw new TypeError(`cannot set ${path}: ${field} is not an object`);
      parent = next;
    }
    parent[last] = copy;
  }
  return document;
}

/** A deep copy of a JSON value (structuredClone, which serializes, took several times as long for the small objects changes set). */
export function copyJson<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: JsonObject = {};
  for (const field in value) copy[field] = copyJson(value[field]);
  return copy as T;
}

function isObject(value: JsonValue | undefined): value is ReadModelDocument {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
