import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * An address as some proxies forward it in X-Forwarded-For, with the client's port
 * (`203.0.113.9:4711`, `[2001:db8::1]:4711`), without it: each new connection brings a new port,
 * and so would a fresh budget.
 */
function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  if (bracketed) return isIPv6(bracketed[1]) ? bracketed[1] : address;
  const ported = /^([^:]+):\d{1,5}$/.exec(address);
  return ported && isIPv4(ported[1]) ? ported[1] : address;
}

/**
 * What a per-address limit counts by: an IPv4 address as it is (also written as IPv6,
 * `::ffff:203.0.113.9`), an IPv6 address by its /64, either without a port a proxy wrote after it.
 * A subscriber is given at least a /64 and one host may take any of its 2^64 addresses: counted one
 * by one, each new address would bring a fresh budget. Anything else (not an address) as it is.
 */
export function addressKey(forwarded: string): string {
  const address = withoutPort(forwarded);
  if (!isIPv6(address)) return address;
  const parsed = ipaddr.IPv6.parse(address);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  // Rebuilt from the first four groups: the zone (`%eth0`) and the interface id dropped.
  return `${new ipaddr.IPv6([...parsed.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
