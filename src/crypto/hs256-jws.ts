import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64url } from './base64url';

/** The one protected header this module signs with: `{"alg":"HS256"}`, as jose writes it. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
const MAC_BYTES = 32;

const mac = (key: Uint8Array, signingInput: string): Buffer => createHmac('sha256', key).update(signingInput).digest();

/** A compact JWS (RFC 7515) of `payload`, HMAC-SHA-256 under `key`, computed synchronously. */
export function signHs256(payload: Uint8Array, key: Uint8Array): string {
  const signingInput = `${HEADER}.${Buffer.from(payload).toString('base64url')}`;
  return `${signingInput}.${mac(key, signingInput).toString('base64url')}`;
}

/**
 * The payload of a compact JWS whose MAC under `key` holds (compared in constant time), or
 * undefined. Its protected header must be a JSON object naming alg HS256 and no critical
 * extension (RFC 7515 §4.1.11: none is understood here). Synchronous: an HMAC is a few
 * microseconds, and WebCrypto's promise round trip costs several times that on the event loop.
 */
export function verifyHs256(compact: string, key: Uint8Array): Buffer | undefined {
  if (typeof compact !== 'string') return undefined;
  const parts = compact.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts;
  const given = decodeBase64url(signature);
  if (!given || given.length !== MAC_BYTES || !timingSafeEqual(given, mac(key, `${header}.${payload}`))) return undefined;
  const headerBytes = decodeBase64url(header);
  const payloadBytes = decodeBase64url(payload);
  if (!headerBytes || !payloadBytes) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(headerBytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = parsed as Record<string, unknown>;
  if (fields.alg !== 'HS256' || 'crit' in fields || fields.b64 === false) return undefined;
  return payloadBytes;
}
