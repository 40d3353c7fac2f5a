import { Buffer } from 'buffer';

/**
 * Node's Buffer for the audit verifier's modules (src/transparency), which run unchanged in the
 * browser: the `buffer` package, plus the base64url encoding it lacks. Imported before them.
 */
const { from } = Buffer;
const toString = Buffer.prototype.toString;
const BASE64URL = 'base64url';

Buffer.from = function (value: unknown, encodingOrOffset?: unknown, length?: unknown) {
  if (encodingOrOffset === BASE64URL && typeof value === 'string') return from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return (from as (...args: unknown[]) => Buffer)(value, encodingOrOffset, length);
} as typeof Buffer.from;

Buffer.prototype.toString = function (this: Buffer, encoding?: string, start?: number, end?: number): string {
  if (encoding === BASE64URL) return toString.call(this, 'base64', start, end).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return toString.call(this, encoding as BufferEncoding, start, end);
};

(globalThis as { Buffer?: unknown }).Buffer = Buffer;
