import type { ServerOptions } from 'node:http';

/**
 * Node's options that make a request's deadline (`requestTimeout`, a 408 past it) hold: Node
 * enforces it only while headersTimeout (60 s by default) is no longer than it, and when it checks
 * its connections (every 30 s by default), so often enough to keep to it.
 */
export const requestDeadline = (requestTimeoutMs: number): Pick<ServerOptions, 'requestTimeout' | 'headersTimeout' | 'connectionsCheckingInterval'> => ({
  requestTimeout: requestTimeoutMs,
  headersTimeout: Math.min(60_000, requestTimeoutMs),
  connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
});
