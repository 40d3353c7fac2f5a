import { StreamsServiceService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_grpc_pb';

/** What the client learns of the server at its first call: its version and the gRPC methods it serves. */
export interface ServerFeaturesSeen {
  serverVersion?: string;
  supports(method: { path: string }): boolean;
}

/**
 * The calls ztkeys writes with that older servers lack, and the release that brought each. The
 * client refuses each call itself on a server without it (UnsupportedError), so this asks the
 * same question it does, once, at start.
 */
const NEEDED = [
  { method: StreamsServiceService.appendSession, what: 'atomic multi-stream appends (AppendSession)', since: '25.1' },
  { method: StreamsServiceService.appendRecords, what: 'appends with consistency checks on streams read (AppendRecords)', since: '26.1' },
] as const;

/**
 * Why this server cannot hold ztkeys' log, or undefined when it can. Without these calls every
 * command that writes several streams, or relies on facts of streams it does not write (R17),
 * would fail on each request, long after a start that looked fine.
 */
export function missingServerFeatures(features: ServerFeaturesSeen): string | undefined {
  const missing = NEEDED.filter((needed) => !features.supports(needed.method));
  if (missing.length === 0) return undefined;
  // The client records "unknown" when the server is too old to serve the features call.
  const known = features.serverVersion && features.serverVersion !== 'unknown';
  const version = known ? `KurrentDB ${features.serverVersion}` : 'the server (of a version too old to say which)';
  return `${version} lacks ${missing.map((needed) => `${needed.what}, KurrentDB ${needed.since}+`).join(' and ')}: ztkeys needs KurrentDB 26.1 or later`;
}
