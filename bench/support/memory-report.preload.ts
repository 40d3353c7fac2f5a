import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

/**
 * Preloaded into a spawned server and, through the inherited node options, into each of its worker
 * threads (`node --expose-gc --require memory-report.preload.js`, see ./server-memory.ts): on
 * SIGUSR2 every thread runs a full garbage collection (the worker threads asked over a
 * BroadcastChannel), then the main thread appends the process's memory (process.memoryUsage(),
 * read after every thread's GC) and each thread's V8 heap, one JSON line, to BENCH_MEMORY_REPORT.
 * The bench reads the server's memory after a GC without a route or a hook in the app itself
 * (and where its resident set is from its own process: see server-memory.ts). With
 * BENCH_MEMORY_DETAIL=1 each thread's heap is given space by space.
 */
const file = process.env.BENCH_MEMORY_REPORT;
const gc = (globalThis as { gc?: () => void }).gc;
const detail = process.env.BENCH_MEMORY_DETAIL === '1';
const MiB = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
/** How long the main thread waits for the worker threads' heaps (each collects its garbage first). */
const THREADS_ANSWER_MS = 500;

/** A thread's V8 heap after its GC, MiB: `young` is its young generation's committed size (V8 grows it under load, shrinks it idle). */
export interface ThreadHeap {
  /** The worker entry the thread runs (e.g. self-check.worker), or main. */
  name: string;
  committed: number;
  used: number;
  young: number;
  spaces?: Record<string, [number, number]>;
}

/** A worker thread's entry: the one *.worker.js module in its own module cache (there is no require.main on a worker thread). */
const threadName = (): string =>
  isMainThread
    ? 'main'
    : (Object.keys(require.cache)
        .find((path) => /\.worker\.[jt]s$/.test(path))
        ?.replace(/^.*\//, '')
        .replace(/\.[jt]s$/, '') ?? 'worker');

function heapOf(): ThreadHeap {
  const { total_heap_size, used_heap_size } = getHeapStatistics();
  const spaces = getHeapSpaceStatistics();
  return {
    name: threadName(),
    committed: MiB(total_heap_size),
    used: MiB(used_heap_size),
    young: MiB(spaces.find((space) => space.space_name === 'new_space')?.space_size ?? 0),
    ...(detail ? { spaces: Object.fromEntries(spaces.map((space) => [space.space_name, [MiB(space.space_size), MiB(space.space_used_size)]])) } : {}),
  };
}

if (file && gc) {
  const channel = new BroadcastChannel('bench-memory-report');
  channel.unref();
  if (!isMainThread) {
    channel.onmessage = (event) => {
      if ((event as { data: unknown }).data !== 'report') return;
      gc();
      channel.postMessage(heapOf());
    };
  } else {
    process.on('SIGUSR2', () => {
      const threads: ThreadHeap[] = [];
      const listen = (event: Event) => {
        const { data } = event as unknown as { data: unknown };
        if (typeof data === 'object') threads.push(data as ThreadHeap);
      };
      channel.addEventListener('message', listen);
      channel.postMessage('report');
      gc();
      setTimeout(() => {
        channel.removeEventListener('message', listen);
        // Read once every thread has collected, so that the resident set is the one they leave.
        const memory = process.memoryUsage();
        appendFileSync(file, `${JSON.stringify({ ...memory, at: new Date().toISOString(), threads: [heapOf(), ...threads] })}\n`);
      }, THREADS_ANSWER_MS);
    });
  }
}
