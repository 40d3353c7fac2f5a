import type { CollectionName } from '../../projections/document-change';
import { NOT_REPLACED } from '../../projections/as-of.projection';
import { PROJECTIONS } from '../../projections/projections';
import type { ReadModelName } from '../../projections/projection';

/**
 * The indexes of each collection: one per query shape of src/application/queries/read-queries.ts (equality fields
 * first, then the field pages are ordered by). Queries may only name fields listed here.
 */
export const COLLECTION_INDEXES: Record<CollectionName, ReadonlyArray<readonly string[]>> = {
  // The deadline scheduler (R20) looks for old requests across orgs.
  pending_keys: [['orgId', 'requestedPosition'], ['requestedAt']],
  // The pending list reads a page's approvals at once; a request's end deletes its approvals.
  key_approvals: [['orgId', 'requestId']],
  agent_status: [
    ['orgId', 'agentId'],
    ['orgId', 'keyStatus', 'agentId'],
    ['orgId', 'role', 'agentId'],
    ['orgId', 'role', 'keyStatus', 'agentId'],
  ],
  agent_browsers: [['orgId', 'agentId']],
  audit_log: [
    ['orgId', 'position'],
    ['orgId', 'type', 'position'],
    ['orgId', 'actor', 'position'],
    ['orgId', 'subject', 'position'],
    ['orgId', 'occurredAt'],
  ],
  // As-of queries (issue 15): keys still ACTIVE after T, roles set up to T, windows not replaced by T
  // (and opened shortly before it); a new window replaces its browser's latest.
  key_intervals: [['orgId', 'until'], ['orgId', 'from']],
  role_changes: [['orgId', 'at']],
  browser_windows: [
    ['orgId', 'replacedAt', 'from'],
    ['orgId', 'agentId', 'browserId', 'replacedAt'],
  ],
  // The deadline scheduler (R20) looks for running recoveries across orgs.
  recoveries: [['status', 'remindAt']],
};

/**
 * A field an earlier release did not write, which is the `value` field of the next document of the
 * same `partition` by `order` (`otherwise` for the last): a store fills it in place at start in
 * the active generation's documents written without it, before it builds the indexes on it.
 */
export interface FollowingValue {
  field: string;
  partition: readonly string[];
  order: string;
  value: string;
  otherwise: string;
}

/**
 * Indexes an earlier release built that no query or change selects by any more: a store drops
 * them from the active generation at start (browser_windows: as-of reads by replacedAt now).
 */
export const RETIRED_INDEXES: Partial<Record<CollectionName, ReadonlyArray<readonly string[]>>> = {
  browser_windows: [['orgId', 'from']],
};

/** The windows of a browser replace one another (projections/as-of.projection.ts). */
export const COLLECTION_UPGRADES: Partial<Record<CollectionName, FollowingValue>> = {
  browser_windows: { field: 'replacedAt', partition: ['orgId', 'agentId', 'browserId'], order: 'position', value: 'from', otherwise: NOT_REPLACED },
};

/** What a store counts in a collection: how many documents hold each value of `field`, per value of `group`. */
export interface CountedField {
  group: string;
  field: string;
}

/**
 * Counts each store keeps as it applies changes, so that no query aggregates (the org totals of
 * the zero-trust status). Changes to a counted collection name their document (no patchWhere or
 * deleteWhere), so the store sees each document before and after every change.
 */
export const COLLECTION_COUNTS: Partial<Record<CollectionName, CountedField>> = {
  agent_status: { group: 'orgId', field: 'keyStatus' },
};

/** Field names that may appear in queries and conditions: plain identifiers, safe to name in SQL. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

export function checkFieldName(field: string): string {
  if (!FIELD_NAME.test(field)) throw new TypeError(`not a field name: ${JSON.stringify(field)}`);
  return field;
}

export function checkQueryField(collection: CollectionName, field: string): string {
  if (!COLLECTION_INDEXES[collection].some((index) => index.includes(field))) {
    throw new TypeError(`${collection} has no index on ${JSON.stringify(field)}`);
  }
  return field;
}

/** The name part of the collection's index on these fields (the stores name theirs with it); one COLLECTION_INDEXES lists, or a TypeError. */
export function indexName(collection: CollectionName, fields: readonly string[]): string {
  const name = fields.join('_');
  if (!COLLECTION_INDEXES[collection].some((index) => index.join('_') === name)) throw new TypeError(`${collection} has no index on ${JSON.stringify(fields)}`);
  return name;
}

/** Where a generation of a collection is stored: a table (SQLite) or a collection (MongoDB). */
export const generationName = (collection: CollectionName, generation: number): string => `${collection}_${generation}`;

/** The generation a stored collection name belongs to, if it is one of the model's. */
export function generationOf(model: ReadModelName, storedName: string): number | undefined {
  for (const collection of PROJECTIONS[model].collections) {
    const match = new RegExp(`^${collection}_(\\d+)$`).exec(storedName);
    if (match) return Number(match[1]);
  }
  return undefined;
}

export function modelOf(collection: CollectionName): ReadModelName {
  const projection = Object.values(PROJECTIONS).find((p) => p.collections.includes(collection));
  if (!projection) throw new TypeError(`no read model writes ${collection}`);
  return projection.name;
}

/** Where a store keeps the counts of a generation of a counted collection. */
export const countsName = (collection: CollectionName, generation: number): string => `${generationName(collection, generation)}_counts`;
