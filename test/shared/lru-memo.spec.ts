import { LruMemo } from '../../src/shared/lru-memo';

/** A memo of `limit` results of a function that counts its calls by key. */
function counted(limit: number) {
  const calls = new Map<string, number>();
  const memo = new LruMemo<string | undefined>(limit, (key) => {
    calls.set(key, (calls.get(key) ?? 0) + 1);
    return key.startsWith('bad') ? 'BAD' : undefined;
  });
  return { memo, callsOf: (key: string) => calls.get(key) ?? 0 };
}

describe('LruMemo', () => {
  it('computes a key once and answers it from memory after, undefined results included', () => {
    const { memo, callsOf } = counted(3);
    expect([memo.get('a'), memo.get('bad-b'), memo.get('a'), memo.get('bad-b')]).toEqual([undefined, 'BAD', undefined, 'BAD']);
    expect([callsOf('a'), callsOf('bad-b')]).toEqual([1, 1]);
  });

  it('keeps a key in use while more keys than its limit pass through', () => {
    const { memo, callsOf } = counted(3);
    memo.get('hot');
    for (let i = 0; i < 10; i++) {
      memo.get(`cold-${i}`);
      memo.get('hot');
    }
    expect(callsOf('hot')).toBe(1);
    // The least recently used went: the early cold keys are computed again.
    memo.get('cold-0');
    expect(callsOf('cold-0')).toBe(2);
  });

  it('drops the least recently used, not the first inserted', () => {
    const { memo, callsOf } = counted(3);
    ['a', 'b', 'c', 'a', 'd'].forEach((key) => memo.get(key));
    memo.get('a');
    memo.get('c');
    expect([callsOf('a'), callsOf('c')]).toEqual([1, 1]);
    memo.get('b');
    expect(callsOf('b')).toBe(2);
  });
});
