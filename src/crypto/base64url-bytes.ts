/**
 * base64url without padding on plain Uint8Array, without Node's Buffer: for code the browser
 * console shares with the server and the CLI (src/crypto/base64url.ts is the Buffer-based twin the
 * server's hot paths use).
 */
export function encodeBase64urlBytes(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes canonical base64url without padding; undefined for anything else. */
export function decodeBase64urlBytes(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (char) => char.charCodeAt(0));
  // Re-encoding catches non-canonical trailing bits, which would make two strings name one value.
  return encodeBase64urlBytes(bytes) === text ? bytes : undefined;
}
