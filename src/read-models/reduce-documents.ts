import type { ReadModelDocument } from '../../projections/document-change';
import type { DocumentsReducer } from './read-model-store.port';

/** What `reducer` makes of the documents of each query, as JSON: where the store runs it (in process, or on its worker thread). */
export function reducedJson(reducer: DocumentsReducer, documents: readonly ReadModelDocument[][]): string {
  const reduce = (require(reducer.module) as Record<string, (argument: unknown, ...documents: ReadModelDocument[][]) => unknown>)[reducer.name];
  if (typeof reduce !== 'function') throw new TypeError(`${reducer.module} exports no function ${reducer.name}`);
  return JSON.stringify(reduce(reducer.argument, ...documents));
}
