import type { KeyFile } from '../../src/crypto/key-file-format';

/**
 * What signs: a non-extractable WebCrypto key (the browser can sign with it, but no script, this
 * one included, can read its bytes out), or a portable key file, opened with its passphrase for
 * each signature.
 */
export type Signer = { privateKey: CryptoKey } | { portable: KeyFile };

/** This browser's signature keys, in IndexedDB. */
export type BrowserKey = Signer & {
  publicKey: string;
  fingerprint: string;
  /** The key request that registered it; unknown for an imported key file. */
  requestId?: string;
  createdAt: string;
};

/** Per org and agent: the ACTIVE key to sign with, and a requested one waiting for a decision. */
export interface AgentKeys {
  active?: BrowserKey;
  pending?: BrowserKey;
}

const DB = 'ztkeys';
const STORE = 'keys';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

const slot = (orgId: string, agentId: string) => `${orgId}/${agentId}`;

export const loadKeys = async (orgId: string, agentId: string): Promise<AgentKeys> =>
  ((await run('readonly', (store) => store.get(slot(orgId, agentId)))) as AgentKeys | undefined) ?? {};

export const saveKeys = async (orgId: string, agentId: string, keys: AgentKeys): Promise<void> => {
  await run('readwrite', (store) => store.put(keys, slot(orgId, agentId)));
};

/** A new Ed25519 key pair whose private half never leaves WebCrypto. */
export async function generateKeyPair(): Promise<{ privateKey: CryptoKey; rawPublicKey: ArrayBuffer }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  return { privateKey: pair.privateKey, rawPublicKey: await crypto.subtle.exportKey('raw', pair.publicKey) };
}

const BROWSER_ID = 'ztkeys.browserId';

/** This browser's identity (R10): made once, kept across sign-ins; prompt frequencies belong to it. */
export function browserId(): string {
  let id = localStorage.getItem(BROWSER_ID);
  if (!id) {
    id = `browser-${crypto.randomUUID()}`;
    localStorage.setItem(BROWSER_ID, id);
  }
  return id;
}
