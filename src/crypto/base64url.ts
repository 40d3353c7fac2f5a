/** Strict base64url without padding, as PRODUCT.md requires for keys and signatures. */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes base64url without padding; undefined when the text is not canonical base64url. */
export function decodeBase64url(text: string): Buffer | undefined {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Re-encoding catches non-canonical trailing bits, which would make two strings name one key.
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export const encodeBase64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
