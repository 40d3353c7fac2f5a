import type { StreamWrite } from './event-store.port';

/** What every adapter refuses before it writes: a multi-stream append takes each stream once, with events. */
export function checkWrites(writes: readonly StreamWrite[]): void {
  if (writes.length === 0) throw new TypeError('append needs at least one stream write');
  const streams = new Set<string>();
  for (const write of writes) {
    if (write.events.length === 0) throw new TypeError(`write to ${write.stream} has no events`);
    if (streams.has(write.stream)) throw new TypeError(`append writes to ${write.stream} twice; merge the writes`);
    streams.add(write.stream);
  }
}
