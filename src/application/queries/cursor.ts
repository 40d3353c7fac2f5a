import { InvalidQuery } from './invalid-query';

/**
 * Opaque page cursors: the value of the last item's sort key, base64url JSON. Pages keyed on a
 * unique, increasing field stay stable while new items arrive.
 */
export const encodeCursor = (after: string | number): string => Buffer.from(JSON.stringify({ a: after }), 'utf8').toString('base64url');

export function decodeCursor<T extends 'string' | 'number'>(cursor: string | undefined, kind: T): (T extends 'string' ? string : number) | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new InvalidQuery('INVALID_CURSOR', 'cursor is not a cursor this API returned; start again without it.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const after = (parsed as { a?: unknown } | null)?.a;
  const ok = kind === 'number' ? Number.isSafeInteger(after) && (after as number) >= 0 : typeof after === 'string' && after.length <= 256;
  if (!ok || encodeCursor(after as string | number) !== cursor) throw invalid();
  return after as T extends 'string' ? string : number;
}
