import { createHmac } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import { signHs256, verifyHs256 } from '../../src/crypto/hs256-jws';

const key = new TextEncoder().encode('a-secret-of-the-server');
const payload = Buffer.from('{"statement":"sign me"}');

/** The synchronous HS256 compact JWS of tokens and challenge ids reads and writes what jose does. */
describe('HS256 compact JWS', () => {
  it('verifies what jose signs, and jose verifies what it signs', async () => {
    const byJose = await new CompactSign(payload).setProtectedHeader({ alg: 'HS256' }).sign(key);
    expect(verifyHs256(byJose, key)).toEqual(payload);
    expect(signHs256(payload, key)).toBe(byJose);
    expect(Buffer.from((await compactVerify(signHs256(payload, key), key)).payload)).toEqual(payload);
  });

  it('refuses another key, a changed payload, another algorithm, a critical header and malformed input', async () => {
    const good = signHs256(payload, key);
    const [header, body, mac] = good.split('.');
    expect(verifyHs256(good, new TextEncoder().encode('another-secret'))).toBeUndefined();
    expect(verifyHs256(`${header}.${Buffer.from('{"statement":"other"}').toString('base64url')}.${mac}`, key)).toBeUndefined();
    expect(verifyHs256(await new CompactSign(payload).setProtectedHeader({ alg: 'HS384' }).sign(key), key)).toBeUndefined();
    // jose will not sign a header it does not understand: this one is made by hand, MAC and all.
    const critical = `${Buffer.from(JSON.stringify({ alg: 'HS256', crit: ['x'], x: 1 })).toString('base64url')}.${body}`;
    expect(verifyHs256(`${critical}.${createHmac('sha256', key).update(critical).digest('base64url')}`, key)).toBeUndefined();
    for (const bad of ['', 'a.b', `${good}.x`, `${header}.${body}.${mac}=`, `${header}.${body}`, `${header}.${body}.`]) expect(verifyHs256(bad, key)).toBeUndefined();
    expect(verifyHs256(123 as unknown as string, key)).toBeUndefined();
  });
});
