/** A percent-encoded unreserved character (RFC 3986 §2.3: letters, digits, `-`, `_`, `~`) but `.`, whose decoding could make a dot segment. */
const ENCODED_UNRESERVED = /%(2[dD]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

/**
 * The target with the percent-encoded unreserved characters of its path decoded (RFC 3986
 * §6.2.2.2: `%76` is `v`). The router decodes them before it matches, so `/%761/log-key` ran
 * `/v1/log-key` while the checks that read the path (the per-address limit, undeclared input on
 * `/v1/`, the pages' headers) saw no API path. Rewritten before routing, they read one path.
 * Reserved characters (`%2F`, `%3F`), `%2E` and the query stay as sent.
 */
export function unreservedDecoded(target: string): string {
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (!path.includes('%')) return target;
  return path.replace(ENCODED_UNRESERVED, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) + (query < 0 ? '' : target.slice(query));
}
