import { webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { sameVerificationCode, verificationCode } from '../../src/crypto/verification-code';
import { ed25519KeyPair } from '../support/ed25519-key-pair';

const newPublicKey = (): string => ed25519KeyPair().publicKey;
const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
/** A field as the derivation feeds it to the hash: its length as 4 bytes big-endian, then the bytes. */
const lengthPrefixed = (bytes: number[]): number[] => [(bytes.length >>> 24) & 255, (bytes.length >>> 16) & 255, (bytes.length >>> 8) & 255, bytes.length & 255, ...bytes];

/**
 * The R5 derivation as documented in src/crypto/verification-code.ts, written again from the
 * text: SHA-256 over the length-prefixed tag "ztkeys/verification-code/v1", orgId, agentId (UTF-8)
 * and raw public key; the first 8 bytes big-endian, modulo 10^15, 15 digits in groups of 3.
 */
async function documentedCode(orgId: string, agentId: string, publicKey: string, tag = 'ztkeys/verification-code/v1'): Promise<string> {
  const input = [utf8(tag), utf8(orgId), utf8(agentId), [...Buffer.from(publicKey, 'base64url')]].flatMap(lengthPrefixed);
  const digest = new Uint8Array(await webcrypto.subtle.digest('SHA-256', new Uint8Array(input)));
  const first8 = digest.slice(0, 8).reduce((n, byte) => n * 256n + BigInt(byte), 0n);
  const digits = (first8 % 10n ** 15n).toString().padStart(15, '0');
  return [0, 3, 6, 9, 12].map((at) => digits.slice(at, at + 3)).join('-');
}

const ids = fc.string({ minLength: 1, maxLength: 40 });

describe('verificationCode (R5)', () => {
  it('is the documented derivation, recomputed independently', async () => {
    await fc.assert(
      fc.asyncProperty(ids, ids, async (orgId, agentId) => {
        const key = newPublicKey();
        expect(verificationCode(orgId, agentId, key)).toBe(await documentedCode(orgId, agentId, key));
      }),
      { numRuns: 50 },
    );
  });

  it('is 15 digits in 5 groups of 3', () => {
    fc.assert(fc.property(ids, ids, (orgId, agentId) => expect(verificationCode(orgId, agentId, newPublicKey())).toMatch(/^\d{3}(-\d{3}){4}$/)), { numRuns: 50 });
  });

  it('is deterministic', () => {
    const key = newPublicKey();
    expect(verificationCode('acme', 'bob', key)).toBe(verificationCode('acme', 'bob', key));
  });

  it('differs for another org, another agent or another key', () => {
    const key = newPublicKey();
    const code = verificationCode('acme', 'bob', key);
    expect(verificationCode('globex', 'bob', key)).not.toBe(code);
    expect(verificationCode('acme', 'carol', key)).not.toBe(code);
    expect(verificationCode('acme', 'bob', newPublicKey())).not.toBe(code);
  });

  it('is domain separated: not the same hash without the tag or under another tag', async () => {
    const key = newPublicKey();
    const code = verificationCode('acme', 'bob', key);
    expect(await documentedCode('acme', 'bob', key, '')).not.toBe(code);
    expect(await documentedCode('acme', 'bob', key, 'ztkeys/verification-code/v2')).not.toBe(code);
  });

  it('keeps field boundaries: moving characters between orgId and agentId changes the code', () => {
    const key = newPublicKey();
    expect(verificationCode('ab', 'c', key)).not.toBe(verificationCode('a', 'bc', key));
  });

  it('refuses a key that is not base64url', () => {
    expect(() => verificationCode('acme', 'bob', 'not base64url!')).toThrow(TypeError);
  });
});

describe('sameVerificationCode', () => {
  it('compares the digits, whatever the separators', () => {
    expect(sameVerificationCode('123-456-789-012-345', '123 456 789 012 345')).toBe(true);
    expect(sameVerificationCode('123-456-789-012-345', '123456789012345')).toBe(true);
  });

  it('refuses other digits and codes of another length', () => {
    expect(sameVerificationCode('123-456-789-012-345', '123-456-789-012-346')).toBe(false);
    expect(sameVerificationCode('123-456-789-012', '123-456-789-012')).toBe(false);
    expect(sameVerificationCode('', '')).toBe(false);
  });
});
