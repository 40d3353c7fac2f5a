import * as ed from '@noble/ed25519';
import '../src/crypto/public-key'; // sets ed.hashes.sha512 as the app does
import type { Bench } from './bench-row';
import { nodeVerifyRate, premadeSignatures, verifyRate } from './support/ed25519-verify-rate';

const SECONDS = 3;

/** Why the request path verifies with node:crypto: @noble/ed25519 (strict mode) beside it, one thread each. */
export const ed25519VerifyBench: Bench = async () => {
  const made = premadeSignatures();
  const noble = verifyRate(SECONDS, made, (message, signature) => ed.verify(signature, message, made.raw, { zip215: false }));
  return [
    {
      name: '@noble/ed25519 verify { zip215: false }, one thread',
      value: Math.round(noble),
      unit: 'verifies/s',
      ceilingName: 'bare node:crypto (OpenSSL) Ed25519 verify, one thread',
      ceilingValue: Math.round(nodeVerifyRate(SECONDS)),
    },
  ];
};
