import type { QueryValue } from './read-model-store.port';

/**
 * Checks at run time what the types promise: a query value is a string or a finite number. An
 * object (`{"$ne": null}` from a crafted query string) never reaches a store as an operator.
 */
export function checkQueryValue(value: unknown): QueryValue {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw new TypeError(`a query value must be a string or a finite number, got ${typeof value}`);
}
