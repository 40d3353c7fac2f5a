import type { z } from 'zod';
import { decode, UndecodableEvent, type Decoded, type EncodedEvent } from './decode';
import type { EventVersions, LogEvent, LogEventType } from './event-catalogue';
import { EVENT_SHAPES, OLDER_SHAPES } from './event-shapes';

/**
 * decode, then the data checked against the shape its type had at its schema version: for a log
 * this process did not write (an export being verified). The store's own readers use decode: a
 * zod parse (about 0.3 µs an event) would check what the deciders cannot have written wrong, and
 * the threads that fold the log would load zod for it (half their modules, and half their start).
 */
export function decodeChecked<R extends EncodedEvent, E extends LogEvent>(record: R, types: EventVersions<E>): Decoded<R, E> {
  const event = decode(record, types);
  const { type, schemaVersion, data } = record;
  const current = schemaVersion === (types as Readonly<Record<string, number>>)[type];
  checkShape(type, schemaVersion, current ? EVENT_SHAPES[type as LogEventType] : OLDER_SHAPES[type as LogEventType]![schemaVersion], data);
  return event;
}

function checkShape(type: string, schemaVersion: number, shape: z.ZodType, data: unknown): void {
  const parsed = shape.safeParse(data);
  if (parsed.success) return;
  const [issue] = parsed.error.issues;
  // An unknown member is reported at its own path, not its parent's.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const expected = issue.code === 'unrecognized_keys' ? `no member of ${type} data` : issue.message;
  throw new UndecodableEvent(type, schemaVersion, expected, path.reduce<string>((at, key) => `${at}${memberPath(key)}`, 'data'));
}

const memberPath = (key: PropertyKey): string =>
  typeof key === 'number' ? `[${key}]` : typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(String(key))}]`;
