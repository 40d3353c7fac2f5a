import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * What a per-address limit counts by: an IPv4 address as it is (also written as IPv6,
 * `::ffff:203.0.113.9`), an IPv6 address by its /64. A subscriber is given at least a /64 and one
 * host may take any of its 2^64 addresses: counted one by one, each new address would bring a
 * fresh budget. Anything else (not an address) as it is.
 */
export function addressKey(address: string): string {
  if (!isIPv6(address)) return address;
  const parsed = ipaddr.IPv6.parse(address);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  // Rebuilt from the first four groups: the zone (`%eth0`) and the interface id dropped.
  return `${new ipaddr.IPv6([...parsed.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
