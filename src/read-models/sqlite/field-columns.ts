import { valueAt, type CollectionName, type ReadModelDocument } from '../../../projections/document-change';
import { checkFieldName, COLLECTION_INDEXES } from '../read-model-schema';

export type ColumnValue = string | number | null;

/** The row's own columns: no field may take their names. */
const ROW_COLUMNS = new Set(['id', 'version', 'document']);

const columnsOf = new Map<CollectionName, readonly string[]>();

/**
 * The fields a collection's indexes name, each kept in a column of its own beside the JSON
 * document (written from the document the batch holds), so that indexes and queries use the
 * columns: a write parses no JSON in SQLite, and an update that leaves a field's value alone
 * need not assign its column, which spares every index on it.
 */
export function fieldColumns(collection: CollectionName): readonly string[] {
  let columns = columnsOf.get(collection);
  if (!columns) {
    columns = [...new Set(COLLECTION_INDEXES[collection].flat())].map(checkFieldName);
    for (const column of columns) if (ROW_COLUMNS.has(column)) throw new TypeError(`${collection}: the field ${column} would take a row column's name`);
    columnsOf.set(collection, columns);
  }
  return columns;
}

/** SQL of a field: its column, or where the collection keeps none, the field read from the JSON document. */
export function fieldSql(collection: CollectionName, path: string): string {
  return fieldColumns(collection).includes(path) ? `"${path}"` : jsonFieldSql(path);
}

/** A field read from the JSON document by SQLite: what the columns hold, for rows written before them. */
export const jsonFieldSql = (path: string): string => `json_extract(document, '$.${checkFieldName(path)}')`;

/**
 * The document's values of its collection's columns, as json_extract gives them (so a row reads
 * the same either way): missing and null are NULL, booleans 1 and 0, objects and arrays their JSON.
 */
export function columnValues(collection: CollectionName, document: ReadModelDocument): ColumnValue[] {
  return fieldColumns(collection).map((path) => {
    const value = valueAt(document, path);
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    return typeof value === 'object' ? JSON.stringify(value) : value;
  });
}
