import fc from 'fast-check';
import { jsonTextFault } from '../../src/shared/json-text-fault';

/** Levels of arrays and objects a parsed value nests. */
const depthOf = (value: unknown): number =>
  value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf)) : 0;

describe('jsonTextFault', () => {
  it('finds no fault in any text JSON.stringify writes, indented or not, and tells its depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const depth = depthOf(value);
        expect(jsonTextFault(text)).toBeUndefined();
        expect(jsonTextFault(text, depth, 'canonical')).toBeUndefined();
        if (depth > 0) expect(jsonTextFault(text, depth - 1)).toEqual({ kind: 'tooDeep' });
      }),
    );
  });

  it('finds a member named twice in one object, at any depth, and names it', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.nat(), fc.jsonValue(), fc.nat(3), (object, pick, again, depth) => {
        const names = Object.keys(object);
        const name = names[pick % names.length];
        let text = `${JSON.stringify(object).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(again)}}`;
        for (let level = 0; level < depth; level++) text = `[{"wrapped":${text}}]`;
        expect(jsonTextFault(text)).toEqual({ kind: 'duplicateName', name });
      }),
    );
  });

  it('compares names as decoded, and not across objects', () => {
    expect(jsonTextFault('{"a":1,"\\u0061":2}')).toEqual({ kind: 'duplicateName', name: 'a' });
    expect(jsonTextFault('{"a\\"b":1,"a\\u0022b":2}')).toEqual({ kind: 'duplicateName', name: 'a"b' });
    expect(jsonTextFault('{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}')).toBeUndefined();
    expect(jsonTextFault('{"a":"{\\"a\\":1,","b":"a"}')).toBeUndefined();
  });

  it('finds, when numbers must be canonical, one written otherwise than JSON.stringify writes the number JSON.parse reads, wherever it stands, and none in strings or names', () => {
    const cases: Array<[string, string, string]> = [
      ['{"a":1.0}', '1.0', '1'],
      ['[0,-0]', '-0', '0'],
      ['{"a":[1e2]}', '1e2', '100'],
      ['{"a":1.0000000000000001}', '1.0000000000000001', '1'],
      ['{"a":9007199254740993}', '9007199254740993', '9007199254740992'],
      ['{"a":1E21}', '1E21', '1e+21'],
    ];
    for (const [text, spelled, canonical] of cases) {
      expect(jsonTextFault(text, Infinity, 'canonical')).toEqual({ kind: 'numberSpelling', text: spelled, canonical });
      expect(jsonTextFault(text)).toBeUndefined();
    }
    for (const text of ['{"1.0":"1e2","b":[-1.5,1e+21,0.1,123]}', '{"a":1e400}']) expect(jsonTextFault(text, Infinity, 'canonical')).toBeUndefined();
  });
});
