/**
 * A position or revision as a JSON number. Documents are JSON, which reporting tools read as
 * doubles; a log beyond 2^53 events (or bytes, for EventStoreDB) is refused loudly, not rounded.
 */
export function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${value} is beyond 2^53: it does not fit a document`);
  return Number(value);
}
