import fc from 'fast-check';
import { decodeBase64url, encodeBase64url } from '../../src/crypto/base64url';

describe('base64url (strict, no padding)', () => {
  it('decodes what it encodes, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(decodeBase64url(encodeBase64url(bytes))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('encodes with the URL alphabet and without padding', () => {
    expect(encodeBase64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(encodeBase64url(new Uint8Array([0]))).toBe('AA');
  });

  it.each([
    ['padding', 'AA=='],
    ['one padding character', 'AAA='],
    ["'+' of standard base64", '-+8'],
    ["'/' of standard base64", '-_/'],
    ['a space', 'AA AA'],
    ['a newline', 'AAAA\n'],
    ['a length of 4n + 1', 'AAAAA'],
    ['non-canonical trailing bits (2 characters)', 'AB'],
    ['non-canonical trailing bits (3 characters)', 'AAB'],
    ['non-ASCII', 'AAÀA'],
  ])('refuses %s', (_, text) => {
    expect(decodeBase64url(text)).toBeUndefined();
  });

  it('accepts exactly one text per byte string: whatever decodes re-encodes to itself', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/='.split('');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 12 }), (text) => {
        const bytes = decodeBase64url(text);
        if (bytes) expect(encodeBase64url(bytes)).toBe(text);
      }),
    );
  });

  it('refuses what is not a string', () => {
    expect(decodeBase64url(42 as unknown as string)).toBeUndefined();
  });
});
