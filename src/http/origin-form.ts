/** The scheme and authority of a request target in absolute form: `http://host:port` of `GET http://host:port/v1/... HTTP/1.1`. */
const SCHEME_AND_AUTHORITY = /^https?:\/\/[^/?#]*/i;

/**
 * A request target in origin form (`/v1/...?...`). Servers must take the absolute form (RFC 9112
 * §3.2.2) and Fastify's router routes it to the same handler, but the checks that read the path
 * (the per-address limit and the rule for undeclared input on `/v1/`, the pages' own headers) saw
 * `http://host/v1/...` as no API path and let it past. Rewritten before routing, the router and
 * every check read one path. Nothing else of the target changes: no `..` resolved, no escape decoded.
 */
export function originForm(target: string): string {
  const authority = SCHEME_AND_AUTHORITY.exec(target);
  if (!authority) return target;
  const rest = target.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
