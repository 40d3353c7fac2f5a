import { webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { checkPublicKey, fingerprint } from '../../src/crypto/public-key';
import { NON_CANONICAL_SMALL_ORDER_ENCODINGS, P, SMALL_ORDER_ENCODINGS, encodePoint } from './ed25519-forgeries';
import { ed25519KeyPair } from '../support/ed25519-key-pair';

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const newPublicKey = (): string => ed25519KeyPair().publicKey;

/** Modular exponentiation, to find curve facts without the library under test. */
const power = (base: bigint, exponent: bigint): bigint => {
  let result = 1n;
  for (let b = base % P, e = exponent; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) result = (result * b) % P;
  return result;
};
const D = (((-121665n * power(121666n, P - 2n)) % P) + P) % P;
/** Whether some x satisfies -x² + y² = 1 + d·x²·y², i.e. (y² - 1) / (d·y² + 1) is a square mod p. */
const yIsOnCurve = (y: bigint): boolean => {
  const ratio = (((y * y - 1n) % P) * power((D * y * y + 1n) % P, P - 2n)) % P;
  return ratio === 0n || power(ratio, (P - 1n) / 2n) === 1n;
};

describe('checkPublicKey', () => {
  it('accepts a freshly generated Ed25519 key', () => {
    for (let i = 0; i < 20; i++) expect(checkPublicKey(newPublicKey())).toBeUndefined();
  });

  it.each([
    ['padding', `${newPublicKey()}=`],
    ["'+'", `+${newPublicKey().slice(1)}`],
    ["'/'", `/${newPublicKey().slice(1)}`],
    // 32 bytes end in a character carrying 2 bits and 4 zero bits; 'B' sets one of those.
    ['non-canonical trailing bits', `${newPublicKey().slice(0, 42)}B`],
  ])('refuses %s as NOT_BASE64URL', (_, key) => {
    expect(checkPublicKey(key)).toBe('NOT_BASE64URL');
  });

  it.each([0, 31, 33, 64])('refuses %i bytes as WRONG_LENGTH', (length) => {
    expect(checkPublicKey(base64url(new Uint8Array(length).fill(7)))).toBe('WRONG_LENGTH');
  });

  it('refuses a y with no x on the curve as NOT_A_POINT, and only such a y', () => {
    for (let y = 2n; y < 60n; y++) {
      const problem = checkPublicKey(base64url(encodePoint(y, 0)));
      if (yIsOnCurve(y)) expect(problem).not.toBe('NOT_A_POINT');
      else expect(problem).toBe('NOT_A_POINT');
    }
  });

  it('refuses every encoding with y >= p as NOT_A_POINT, on the curve modulo p or not', () => {
    for (let k = 0n; P + k < 2n ** 255n; k++) {
      for (const sign of [0, 1] as const) expect(checkPublicKey(base64url(encodePoint(P + k, sign)))).toBe('NOT_A_POINT');
    }
  });

  it.each(NON_CANONICAL_SMALL_ORDER_ENCODINGS)('refuses the non-canonical $name as NOT_A_POINT', ({ bytes }) => {
    expect(checkPublicKey(base64url(bytes))).toBe('NOT_A_POINT');
  });

  it.each(SMALL_ORDER_ENCODINGS)('refuses the small-order point %s as SMALL_ORDER', (encoding) => {
    expect(checkPublicKey(base64url(fromHex(encoding)))).toBe('SMALL_ORDER');
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => void checkPublicKey(text)));
  });
});

describe('fingerprint', () => {
  it('is the hex SHA-256 of the raw 32-byte key', async () => {
    const raw = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', raw)).toString('hex');
    expect(fingerprint(base64url(raw))).toBe(digest);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs between keys', () => {
    expect(fingerprint(newPublicKey())).not.toBe(fingerprint(newPublicKey()));
  });

  it('refuses a key that is not base64url', () => {
    expect(() => fingerprint('not base64url!')).toThrow(TypeError);
  });
});
