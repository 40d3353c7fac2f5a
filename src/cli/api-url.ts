import { usageError } from './cli-error';
import type { Output } from './output';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks a server URL given on the command line; plain HTTP is only quiet on loopback. */
export function checkApiUrl(text: string, output: Output): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`--api "${text}" is not a URL (for example https://ztkeys.example.com).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`--api must be an http(s) URL, not ${url.protocol}`);
  if (url.search || url.hash) throw usageError('--api takes the server base URL, without query or fragment.');
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    output.warn(`${url.origin} is plain HTTP: tokens and decisions travel unencrypted. Use HTTPS outside this machine.`);
  return url.href.replace(/\/+$/, '');
}
