import { LIMIT_PARAMETER } from '../../shared/sqlite-file';
import { checkQueryValue } from '../query-value';
import type { Condition, DocumentQuery, QueryValue } from '../read-model-store.port';

const OPERATORS = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * A query's conditions as SQL over the columns `columnOf` names for its fields, the values bound
 * (checked at run time: never an operator); undefined when an empty `in` selects nothing.
 */
export function queryConditionsSql(conditions: readonly Condition[], columnOf: (field: string) => string): { sql: string; bindings: QueryValue[] } | undefined {
  const parts: string[] = [];
  const bindings: QueryValue[] = [];
  for (const condition of conditions) {
    const column = columnOf(condition.field);
    if (condition.op === 'in') {
      if (!Array.isArray(condition.value)) throw new TypeError(`${condition.field}: 'in' needs a list`);
      const values = condition.value.map(checkQueryValue);
      if (values.length === 0) return undefined;
      parts.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      bindings.push(...values);
    } else {
      parts.push(`${column} ${OPERATORS[condition.op]} ?`);
      bindings.push(checkQueryValue(condition.value));
    }
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1', bindings };
}

/** A query's ORDER BY clause over the column of its orderBy field, descending when it asks. */
export const orderSql = (column: string, query: Pick<DocumentQuery, 'descending'>): string => `ORDER BY ${column}${query.descending ? ' DESC' : ''}`;

/** A query's LIMIT and OFFSET clause (empty without a limit; an offset needs one), the values bound. */
export function limitSql(query: Pick<DocumentQuery, 'limit' | 'offset'>): { sql: string; bindings: number[] } {
  if (query.limit === undefined) {
    if (query.offset !== undefined) throw new TypeError('an offset needs a limit');
    return { sql: '', bindings: [] };
  }
  return query.offset === undefined ? { sql: ` ${LIMIT_PARAMETER}`, bindings: [query.limit] } : { sql: ` ${LIMIT_PARAMETER} OFFSET ?`, bindings: [query.limit, query.offset] };
}
