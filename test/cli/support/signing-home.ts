import canonicalize from 'canonicalize';
import { randomUUID } from 'node:crypto';
import { sealKey } from '../../../src/cli/key-file';
import { KeyStore } from '../../../src/cli/key-store';
import { generateKeyPair } from '../../../src/cli/signature-key';

interface Owner {
  orgId: string;
  agentId: string;
}

/** Saves an ACTIVE signature key of `owner` in a CLI home, sealed under `passphrase`: what a command that signs unlocks. */
export async function saveActiveKey(home: string, owner: Owner, passphrase: string): Promise<void> {
  const key = await generateKeyPair();
  const store = new KeyStore(home, owner);
  store.save(await sealKey(key, owner, passphrase, new Date().toISOString()));
  store.recordRequest(key.fingerprint, 'req-1', 'APPROVED');
}

/** The answer of a stand-in's POST .../challenges: what the body asked, what the server adds, issued to `owner` now for 5 minutes. */
export function issuedChallenge(body: string, owner: Owner, adds: Record<string, unknown>): { challengeId: string; statement: string; expiresAt: string } {
  const now = Date.now();
  const expiresAt = new Date(now + 300_000).toISOString();
  const statement = canonicalize({ ...(JSON.parse(body) as object), ...adds, ...owner, nonce: randomUUID(), issuedAt: new Date(now).toISOString(), expiresAt })!;
  return { challengeId: 'ch-1', statement, expiresAt };
}
