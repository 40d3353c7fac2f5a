/** A key request's claim on its public key (R18), decided on the key's own stream. */
export type ClaimPublicKey = { type: 'ClaimPublicKey'; fingerprint: string; agentId: string; requestId: string };

export type PublicKeyCommand = ClaimPublicKey;
