import type { ReadModelDocument } from '../../projections/document-change';
import type { DocumentsJson } from './read-model-store.port';
import { checkQueryValue } from './query-value';

/**
 * `findJson` of documents a store has built anyway: each stringified without the `omit` fields and
 * written into one Buffer, not joined first (a page's string, ~1 MB, would land in V8's
 * large-object space, freed only by a full GC).
 */
export function documentsJson(documents: readonly ReadModelDocument[], orderBy: string, omit: readonly string[]): DocumentsJson {
  const lines = documents.map((document) => `${JSON.stringify(omit.length === 0 ? document : Object.fromEntries(Object.entries(document).filter(([field]) => !omit.includes(field))))}\n`);
  const ndjson = Buffer.allocUnsafe(lines.reduce((bytes, line) => bytes + Buffer.byteLength(line), 0));
  lines.reduce((offset, line) => offset + ndjson.write(line, offset), 0);
  const last = documents.at(-1);
  return { ndjson, count: documents.length, last: last === undefined ? undefined : checkQueryValue(last[orderBy]) };
}
