import { DocumentCache } from '../../src/read-models/document-cache';

const stored = (version: string) => ({ version, document: { version } });

describe('DocumentCache', () => {
  it('holds at most its capacity, dropping the documents used longest ago', () => {
    const cache = new DocumentCache(6);
    for (const id of ['a', 'b', 'c', 'd']) cache.set('t', id, stored(id));
    cache.get('t', 'a');
    for (const id of ['e', 'f']) cache.set('t', id, stored(id));
    // Each get is a use: the dropped ones first.
    expect(['b', 'c'].map((id) => cache.get('t', id))).toEqual([undefined, undefined]);
    expect(['f', 'e', 'd', 'a'].map((id) => cache.get('t', id)?.version)).toEqual(['f', 'e', 'd', 'a']);
  });

  it('gives the document last set, and none once forgotten, under each table apart', () => {
    const cache = new DocumentCache(4);
    cache.set('t', 'a', stored('1'));
    cache.set('t', 'b', null);
    cache.set('t', 'c', stored('c'));
    cache.get('t', 'a');
    cache.set('t', 'a', stored('2'));
    expect(cache.get('t', 'a')?.version).toBe('2');
    expect(cache.get('t', 'b')).toBeNull();
    expect(cache.get('u', 'a')).toBeUndefined();
    cache.forget('t', 'a');
    expect(cache.get('t', 'a')).toBeUndefined();
    cache.clear();
    expect(cache.get('t', 'c')).toBeUndefined();
  });

  it("forgets one table's documents, in both generations, and keeps the others'", () => {
    const cache = new DocumentCache(4);
    cache.set('t', 'a', stored('a'));
    cache.set('u', 'x', stored('x'));
    // The first generation is full: these go to the second, 'a' and 'x' stay in the first.
    cache.set('t', 'b', stored('b'));
    cache.set('u', 'y', stored('y'));
    cache.forgetAll('t');
    expect(['a', 'b'].map((id) => cache.get('t', id))).toEqual([undefined, undefined]);
    expect(['x', 'y'].map((id) => cache.get('u', id)?.version)).toEqual(['x', 'y']);
  });
});
