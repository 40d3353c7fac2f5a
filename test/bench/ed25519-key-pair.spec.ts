import { spawnSync } from 'node:child_process';
import { createPublicKey, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { ed25519KeyPair } from '../support/ed25519-key-pair';

const ROOT = join(__dirname, '../..');

describe('ed25519KeyPair (the benches and suites make their clients keys with it)', () => {
  it('gives a raw public key that verifies what the private key signs', () => {
    const { publicKey, privateKey } = ed25519KeyPair();
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(32);
    const signature = sign(null, Buffer.from('statement'), privateKey);
    expect(verify(null, Buffer.from('statement'), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' }), signature)).toBe(true);
  });

  it('does not deadlock when scavenges come often (a JWK export of a generated key did within ~40,000 keys)', () => {
    // A 1 MiB young generation makes a scavenge during each key's making frequent: the export
    // straight from generateKeyPairSync hung in every such run tried, within one or two seconds
    // (~40,000 keys at most): 50,000 keys are past it.
    const script = `const { ed25519KeyPair } = require(${JSON.stringify(join(ROOT, 'test/support/ed25519-key-pair'))});
      const junk = [];
      for (let i = 0; i < 50000; i++) { ed25519KeyPair(); junk.push('x'.repeat(50 + (i % 300))); if (junk.length > 1000) junk.length = 0; }`;
    const run = spawnSync(process.execPath, ['--max-semi-space-size=1', '--require', join(ROOT, 'scripts/register-ts.js'), '-e', script], { timeout: 45_000 });
    expect({ signal: run.signal, status: run.status, stderr: run.stderr.toString() }).toEqual({ signal: null, status: 0, stderr: '' });
  });
});
