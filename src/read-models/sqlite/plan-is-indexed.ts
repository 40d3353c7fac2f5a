import type { DocumentQuery } from '../read-model-store.port';

/**
 * Whether SQLite's plan (EXPLAIN QUERY PLAN lines) reads only what the query returns: every step
 * is a SEARCH by an index on every condition of the query (one term each), and no temporary
 * B-tree sorts, except the rows of an `in` list (one index range per listed value).
 */
export function planIsIndexed(detail: readonly string[], query: Pick<DocumentQuery, 'conditions'>): boolean {
  const listed = query.conditions.some((condition) => condition.op === 'in');
  const onEveryCondition = (step: string): boolean => {
    const terms = /^SEARCH .* USING (?:COVERING )?INDEX \S+ \((.*)\)$/.exec(step)?.[1];
    return terms !== undefined && terms.split(' AND ').length === query.conditions.length;
  };
  return detail.every((step) => onEveryCondition(step) || (listed && step === 'USE TEMP B-TREE FOR ORDER BY'));
}
