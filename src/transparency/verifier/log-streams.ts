import { decode } from '../../domain/events/decode';
import { orgOfStream } from '../../domain/streams';
import { BROWSER_EVENTS, CHECKPOINT_EVENTS, KEY_EVENTS, ORGANIZATION_EVENTS, PUBLIC_KEY_EVENTS, RECOVERY_EVENTS } from '../../domain/events/event-catalogue';
import { LogViolation } from '../replay/log-violation';
import type { ExportRecord } from './export-record';

/** Where a stream's events belong: which org, and which kind of stream (so which events it may hold). */
export type StreamOf =
  | { kind: 'org'; orgId: string }
  | { kind: 'agent'; orgId: string; agentId: string }
  | { kind: 'browser'; orgId: string; agentId: string; browserId: string }
  | { kind: 'checkpoint'; orgId: string }
  | { kind: 'recovery'; orgId: string }
  | { kind: 'pubkey'; orgId: string; fingerprint: string }
  /** A kind of stream this release does not know, named as the log names its streams: only a newer release's events may be in it. */
  | { kind: 'unknown'; orgId: string };

/** How the log names a stream: `<kind>-<orgId>`, then `~`-separated ids of what in the org it is about. */
const STREAM_NAME = /^[a-z]+-[^~]+(~[^~]+)*$/;

export function streamOf(stream: string): StreamOf {
  const [prefix] = stream.split('-', 1);
  if (prefix === stream) throw new LogViolation(notAStream(stream));
  // The org as the write side reads it from the name (domain/streams.ts), then the ids within it.
  const orgId = orgOfStream(stream);
  const parts = stream.slice(prefix.length + 1).split('~');
  if (prefix === 'org' && parts.length === 1) return { kind: 'org', orgId };
  if (prefix === 'checkpoint' && parts.length === 1) return { kind: 'checkpoint', orgId };
  if (prefix === 'recovery' && parts.length === 1) return { kind: 'recovery', orgId };
  if (prefix === 'agent' && parts.length === 2) return { kind: 'agent', orgId, agentId: parts[1] };
  if (prefix === 'pubkey' && parts.length === 2) return { kind: 'pubkey', orgId, fingerprint: parts[1] };
  if (prefix === 'browser' && parts.length === 3) return { kind: 'browser', orgId, agentId: parts[1], browserId: parts[2] };
  if (!(prefix in STREAM_EVENTS) && STREAM_NAME.test(stream)) return { kind: 'unknown', orgId };
  throw new LogViolation(notAStream(stream));
}

const notAStream = (stream: string): string => `"${stream}" is not a stream of the log`;

/**
 * An event of a stream this release does not know is a newer release's (decode throws
 * NotOfThisRelease for its type); a type this release knows there is no event any release writes.
 */
export function inUnknownStream(record: ExportRecord): never {
  decode(record);
  throw new LogViolation(notAStream(record.stream));
}

export const STREAM_EVENTS = { org: ORGANIZATION_EVENTS, agent: KEY_EVENTS, browser: BROWSER_EVENTS, checkpoint: CHECKPOINT_EVENTS, pubkey: PUBLIC_KEY_EVENTS, recovery: RECOVERY_EVENTS } as const;
