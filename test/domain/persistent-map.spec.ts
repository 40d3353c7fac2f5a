import fc from 'fast-check';
import { PersistentMap } from '../../src/domain/shared/persistent-map';

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };

// Few distinct keys, so that sets overwrite and deletes hit; many keys, so that leaves are shared.
const key = fc.oneof(fc.constantFrom('a', 'b', 'agent-1', 'agent-2', ''), fc.string({ maxLength: 6 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key }),
);

describe('PersistentMap', () => {
  it('finds the keys equal to one but for the case of ASCII letters, as a scan of every key would', () => {
    const cased = fc.oneof(fc.constantFrom('bob', 'BOB', 'Bob', 'b.o-b', 'B.O-B', 'é', 'É', 'ß', 'SS', 'ss'), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(fc.record({ key: cased, present: fc.boolean() }), { maxLength: 100 }), cased, (steps, probe) => {
        let map = PersistentMap.empty<number>();
        for (const { key, present } of steps) map = present ? map.set(key, 1) : map.delete(key);
        const lower = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
        const expected = [...map].map(([key]) => key).filter((key) => lower(key) === lower(probe));
        expect(map.keysInAnyCase(probe).sort()).toEqual(expected.sort());
      }),
    );
  });

  it('behaves as a Map under any sequence of sets and deletes, and never changes an earlier version', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const model = new Map<string, number>();
        let map = PersistentMap.empty<number>();
        const versions: [PersistentMap<number>, Map<string, number>][] = [];
        for (const step of ops) {
          if (step.kind === 'set') {
            model.set(step.key, step.value);
            map = map.set(step.key, step.value);
          } else {
            model.delete(step.key);
            map = map.delete(step.key);
          }
          versions.push([map, new Map(model)]);
        }
        for (const [version, expected] of versions) {
          expect(version.size).toBe(expected.size);
          expect(new Map(version)).toEqual(expected);
          for (const [k, v] of expected) {
            expect(version.get(k)).toBe(v);
            expect(version.has(k)).toBe(true);
          }
        }
      }),
    );
  });

  it('keeps keys that share a leaf apart (more keys than the trie has leaves)', () => {
    const keys = Array.from({ length: 33_000 }, (_, i) => `agent-${i}`);
    let map = PersistentMap.empty<number>();
    keys.forEach((k, i) => (map = map.set(k, i)));
    const full = map;
    keys.forEach((k, i) => i % 2 === 0 && (map = map.delete(k)));
    expect([full.size, map.size]).toEqual([33_000, 16_500]);
    expect(keys.map((k) => full.get(k))).toEqual(keys.map((_, i) => i));
    expect(keys.map((k) => map.get(k))).toEqual(keys.map((_, i) => (i % 2 === 0 ? undefined : i)));
  });

  it('answers undefined for a missing key and returns itself when deleting one', () => {
    const map = PersistentMap.empty<number>().set('a', 1);
    expect(map.get('b')).toBeUndefined();
    expect(map.has('b')).toBe(false);
    expect(map.delete('b')).toBe(map);
  });
});
