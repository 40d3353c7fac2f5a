import fc from 'fast-check';
import { isOneMediaType } from '../../src/http/media-type';
import { ONE_MEDIA_TYPE_WITH_PARAMETERS, PARAMETERS_NOT_RFC_9110 } from '../support/content-types';

describe('isOneMediaType: a Content-Type by the grammar of RFC 9110 §8.3.1 and §5.6.6', () => {
  it.each([
    'application/json',
    ...ONE_MEDIA_TYPE_WITH_PARAMETERS,
    'application/json;\tcharset=utf-8',
    'application/json; ;charset=utf-8',
    'application/merge-patch+json',
    'text/plain; charset=utf-8',
  ])('takes %p', (value) => {
    expect(isOneMediaType(value)).toBe(true);
  });

  it.each([
    'application/json, text/plain',
    ...PARAMETERS_NOT_RFC_9110,
    'application/json; x="a\\',
    'application/json x',
    'application/',
    '/json',
    'json',
    ';',
    '',
    'application/json/x',
    'appli cation/json',
  ])('refuses %p', (value) => {
    expect(isOneMediaType(value)).toBe(false);
  });

  it('takes every media type it generates of tokens and parameters (no name twice, in any case), and refuses one followed by a list', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
    const quoted = fc.stringMatching(/^"(?:[\t !#-[\]-~]|\\[\t -~])*"$/);
    const ows = fc.constantFrom('', ' ', '\t', '  ');
    const parameters = fc.uniqueArray(fc.tuple(token, fc.oneof(token, quoted), ows, ows), { selector: ([name]) => name.toLowerCase(), maxLength: 5 });
    fc.assert(
      fc.property(token, token, parameters, (type, subtype, list) => {
        const value = `${type}/${subtype}${list.map(([name, text, before, after]) => `${before};${after}${name}=${text}`).join('')}`;
        expect(isOneMediaType(value)).toBe(true);
        expect(isOneMediaType(`${value}, text/plain`)).toBe(false);
      }),
    );
  });

  it('reads a long hostile value in linear time', () => {
    const started = performance.now();
    for (const value of [`a/b${';'.repeat(50_000)}x`, `a/b;x="${'\\"'.repeat(50_000)}`, `a/b${'; x=y'.repeat(10_000)}`, `a/b;x=${'a'.repeat(100_000)} `]) isOneMediaType(value);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
