import type { ReadModelDocument } from '../../projections/document-change';
import type { DocumentsJson } from './read-model-store.port';
import { checkQueryValue } from './query-value';

/** `findJson` of documents a store has built anyway: each stringified without the `omit` fields. */
export function documentsJson(documents: readonly ReadModelDocument[], orderBy: string, omit: readonly string[]): DocumentsJson {
  const last = documents.at(-1);
  return {
    texts: documents.map((document) => JSON.stringify(omit.length === 0 ? document : Object.fromEntries(Object.entries(document).filter(([field]) => !omit.includes(field))))),
    last: last === undefined ? undefined : checkQueryValue(last[orderBy]),
  };
}
