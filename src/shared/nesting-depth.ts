/**
 * Whether a parsed JSON value nests arrays or objects more than `max` deep, walked without
 * recursion: a value thousands of levels deep (10 KB of brackets parse) overflows the stack of
 * every recursive walk of it, JSON.stringify's among them.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > max) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}
