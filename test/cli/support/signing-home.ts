import canonicalize from 'canonicalize';
import { randomUUID } from 'node:crypto';
import { sealKey } from '../../../src/cli/key-file';
import { KeyStore } from '../../../src/cli/key-store';
import { generateKeyPair } from '../../../src/cli/signature-key';
import { CLI_BUILT, runProcess, type ProcessResult, type RunOptions } from './cli-process';
import { jsonRoutes, standInApi, type StandInApi } from './stand-in-api';

interface Owner {
  orgId: string;
  agentId: string;
}

/**
 * One key per owner and passphrase, sealed (scrypt at the product's cost) once per test file: each
 * home gets its own copy of the same file, as a restored backup would be. A test that needs a
 * second key of the owner makes it.
 */
const sealed = new Map<string, Promise<{ fingerprint: string; file: Awaited<ReturnType<typeof sealKey>> }>>();

/** Saves an ACTIVE signature key of `owner` in a CLI home, sealed under `passphrase`: what a command that signs unlocks. */
export async function saveActiveKey(home: string, owner: Owner, passphrase: string): Promise<void> {
  const id = JSON.stringify([owner.orgId, owner.agentId, passphrase]);
  if (!sealed.has(id))
    sealed.set(
      id,
      generateKeyPair().then(async (key) => ({ fingerprint: key.fingerprint, file: await sealKey(key, owner, passphrase, new Date().toISOString()) })),
    );
  const { fingerprint, file } = await sealed.get(id)!;
  const store = new KeyStore(home, owner);
  store.save(file);
  store.recordRequest(fingerprint, 'req-1', 'APPROVED');
}

/** The answer of a stand-in's POST .../challenges: what the body asked, what the server adds, issued to `owner` now for 5 minutes. */
export function issuedChallenge(body: string, owner: Owner, adds: Record<string, unknown>): { challengeId: string; statement: string; expiresAt: string } {
  const now = Date.now();
  const expiresAt = new Date(now + 300_000).toISOString();
  const statement = canonicalize({ ...(JSON.parse(body) as object), ...adds, ...owner, nonce: randomUUID(), issuedAt: new Date(now).toISOString(), expiresAt })!;
  return { challengeId: 'ch-1', statement, expiresAt };
}

/** What the signing stand-ins seal their owner's key under, and give the CLI as ZTKEYS_PASSPHRASE. */
export const PASSPHRASE = 'correct horse battery staple';

/** A stand-in API and the built CLI run against it by its owner, whose key unlocks with PASSPHRASE. */
export interface SigningStandIn {
  api: StandInApi;
  env(): Record<string, string | undefined>;
  run(args: readonly string[], options?: Omit<RunOptions, 'env'>): Promise<ProcessResult>;
}

/**
 * A stand-in answering JSON `route`s (each request noted in `seen`) to a profile of `owner`, whose
 * CLI home holds an ACTIVE key of theirs: for the suites where a hostile server asks for a signature.
 */
export async function signingStandIn(name: string, owner: Owner, route: Parameters<typeof jsonRoutes>[0], seen: string[] = []): Promise<SigningStandIn> {
  const api = await standInApi(name, jsonRoutes(route, seen), owner);
  await saveActiveKey(api.home, owner, PASSPHRASE);
  const env = () => ({ PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_PASSPHRASE: PASSPHRASE });
  return { api, env, run: (args, options = {}) => runProcess(CLI_BUILT, args, { ...options, env: env() }) };
}
