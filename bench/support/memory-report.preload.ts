import { appendFileSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { BroadcastChannel, isMainThread, resourceLimits, threadId } from 'node:worker_threads';

/**
 * Preloaded into a spawned server (`node --expose-gc --require memory-report.preload.js`, see
 * ./server-memory.ts): on SIGUSR2 it runs a full garbage collection of the main thread and
 * appends the process's memory then (process.memoryUsage()), one JSON line, to BENCH_MEMORY_REPORT. The
 * bench reads the server's memory after a GC without a route or a hook in the app itself.
 * With BENCH_MEMORY_DETAIL=1 the line also holds where the resident set is (/proc/self/smaps by
 * mapping: files, the main malloc heap, the other threads' 64 MiB-aligned malloc arenas, the rest)
 * and every thread's V8 heap, the worker threads asked over a BroadcastChannel (no GC of theirs).
 */
const file = process.env.BENCH_MEMORY_REPORT;
const gc = (globalThis as { gc?: () => void }).gc;
const detail = process.env.BENCH_MEMORY_DETAIL === '1';
const MiB = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const ARENA_ALIGN = 64n * 1048576n;

interface ThreadHeap {
  threadId: number;
  young?: number;
  committed: number;
  used: number;
  spaces: Record<string, [number, number]>;
}

const heapOf = (): ThreadHeap => ({
  threadId,
  young: resourceLimits.maxYoungGenerationSizeMb,
  committed: MiB(getHeapStatistics().total_heap_size),
  used: MiB(getHeapStatistics().used_heap_size),
  spaces: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, [MiB(space.space_size), MiB(space.space_used_size)]])),
});

/** Resident KiB by kind of mapping, and the anonymous mappings above 1 MiB resident ([start, size, rss] KiB). */
function residentByMapping() {
  const kinds: Record<string, number> = { file: 0, heap: 0, arenas: 0, anonymous: 0, other: 0 };
  const large: [string, number, number][] = [];
  let kind = 'other';
  let start = '';
  let size = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const [, from, to, path] = header;
      start = from;
      size = Number((BigInt(`0x${to}`) - BigInt(`0x${from}`)) / 1024n);
      kind = path.startsWith('/') ? 'file' : path === '[heap]' ? 'heap' : path ? 'other' : BigInt(`0x${from}`) % ARENA_ALIGN === 0n && size <= 65536 ? 'arenas' : 'anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line);
    if (!rss) continue;
    kinds[kind] += Number(rss[1]);
    if ((kind === 'arenas' || kind === 'anonymous') && Number(rss[1]) > 1024) large.push([start, size, Number(rss[1])]);
  }
  return { kinds: Object.fromEntries(Object.entries(kinds).map(([name, kib]) => [name, MiB(kib * 1024)])), large };
}

if (detail) {
  const channel = new BroadcastChannel('bench-memory-report');
  channel.unref();
  if (!isMainThread) channel.onmessage = (event) => (event as { data: unknown }).data === 'report' && channel.postMessage(heapOf());
  if (isMainThread && file && gc) {
    process.on('SIGUSR2', () => {
      gc();
      const memory = process.memoryUsage();
      const smaps = residentByMapping();
      const threads: ThreadHeap[] = [heapOf()];
      const listen = (event: Event) => {
        const { data } = event as unknown as { data: unknown };
        if (typeof data === 'object') threads.push(data as ThreadHeap);
      };
      channel.addEventListener('message', listen);
      channel.postMessage('report');
      setTimeout(() => {
        channel.removeEventListener('message', listen);
        appendFileSync(file, `${JSON.stringify({ ...memory, at: new Date().toISOString(), smaps, threads })}\n`);
      }, 500);
    });
  }
} else if (isMainThread && file && gc) {
  process.on('SIGUSR2', () => {
    gc();
    appendFileSync(file, `${JSON.stringify(process.memoryUsage())}\n`);
  });
}
