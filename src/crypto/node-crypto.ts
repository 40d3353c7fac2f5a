/**
 * node:crypto, reached at run time instead of imported: the modules the web console bundles (the
 * audit verifier's, src/transparency and the domain folds) then load in a browser too, where there
 * is no node:crypto and the console installs its own CryptoPrimitives (crypto-primitives.ts).
 */
export function nodeCrypto(): typeof import('node:crypto') {
  const crypto = typeof process === 'undefined' ? undefined : process.getBuiltinModule?.('node:crypto');
  if (!crypto) throw new Error('node:crypto is only on Node: install this platform\'s CryptoPrimitives first (useCryptoPrimitives)');
  return crypto;
}
