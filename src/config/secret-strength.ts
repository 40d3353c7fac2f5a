/** Shortest secret accepted: 256 bits, what a generated one holds. */
export const MIN_SECRET_BYTES = 32;

/** Why a secret is too weak, if it is. */
export function weakSecret(value: string): string | undefined {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes >= MIN_SECRET_BYTES) return undefined;
  return `must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes}: use a random one (openssl rand -base64 32), or unset it to have one generated`;
}
