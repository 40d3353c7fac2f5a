import { usageError } from './cli-error';
import type { OptionSpec } from './command-spec';
import type { Output } from './output';
import { isLoopbackHost } from '../shared/loopback';

/** The option that lets --api name a plain-HTTP server on another machine, for the commands that take --api. */
export const plainHttpOption = {
  'plain-http': { type: 'boolean', description: 'accept an http:// URL of another machine: the token and what you sign then travel unencrypted' },
} as const satisfies Record<string, OptionSpec>;

/**
 * Checks a server URL given on the command line. Plain HTTP is quiet on loopback; to another
 * machine it is refused unless `plainHttp` (--plain-http), as the bearer token would cross the
 * network in clear on every command, and then still warned about.
 */
export function checkApiUrl(text: string, output: Output, plainHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`--api "${text}" is not a URL (for example https://ztkeys.example.com).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`--api must be an http(s) URL, not ${url.protocol}`);
  if (url.search || url.hash) throw usageError('--api takes the server base URL, without query or fragment.');
  // fetch refuses such a URL; shown back, the password would land in the terminal's scrollback.
  if (url.username || url.password)
    throw usageError(`--api takes the server base URL without a user name or password (${url.protocol}//${url.host}): ztkeys signs in with your agent token alone.`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    if (!plainHttp)
      throw usageError(`${url.origin} is plain HTTP to another machine: your token and what you sign would travel unencrypted. Use its https:// URL, or add --plain-http on a network that is yours alone.`);
    output.warn(`${url.origin} is plain HTTP: tokens and decisions travel unencrypted. Use HTTPS outside this machine.`);
  }
  return url.href.replace(/\/+$/, '');
}
