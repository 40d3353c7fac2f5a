import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ThreadHeap } from './memory-report.preload';

/** Node options and environment with which a spawned server reports its memory after a GC on demand (see memory-report.preload.ts). */
export function memoryReporting(reportFile: string): { nodeArgs: string[]; env: Record<string, string> } {
  return { nodeArgs: ['--expose-gc', '--require', join(__dirname, 'memory-report.preload.js')], env: { BENCH_MEMORY_REPORT: reportFile } };
}

/**
 * A process's memory after a full GC of every thread, in bytes: its resident set and the main
 * thread's V8 heap in use; beside them, MiB, each thread's V8 heap, and with BENCH_MEMORY_DETAIL=1
 * the resident set by kind of mapping (see memory-report.preload.ts).
 */
export interface ServerMemory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  threads: ThreadHeap[];
  /** With BENCH_MEMORY_DETAIL=1. */
  smaps?: { kinds: ResidentByMapping };
}

type ResidentByMapping = Record<'file' | 'heap' | 'arenas' | 'anonymous' | 'other', number>;
const detail = process.env.BENCH_MEMORY_DETAIL === '1';
const MiB = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const ARENA_ALIGN = 64n * 1048576n;

/**
 * A process's resident MiB by kind of mapping (/proc/PID/smaps: files, the main malloc heap, the
 * other threads' 64 MiB-aligned malloc arenas, the other anonymous mappings), read by the bench's
 * process. Parsed on the server's main thread (0.95 MB, 33,000 lines after load at 1,000,000
 * events) it allocated 3.1 MB there a reading, while V8 shrinks a thread's young generation at a
 * full GC only when the thread allocates under ~1 KB a millisecond: in the detailed run the main
 * thread's young generation stayed at 32 MiB through 180 s idle from round 6 on.
 */
function residentByMapping(pid: number) {
  const kinds: Record<string, number> = { file: 0, heap: 0, arenas: 0, anonymous: 0, other: 0 };
  let kind = 'other';
  let size = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const [, from, to, path] = header;
      size = Number((BigInt(`0x${to}`) - BigInt(`0x${from}`)) / 1024n);
      kind = path.startsWith('/') ? 'file' : path === '[heap]' ? 'heap' : path ? 'other' : BigInt(`0x${from}`) % ARENA_ALIGN === 0n && size <= 65536 ? 'arenas' : 'anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line);
    if (!rss) continue;
    kinds[kind] += Number(rss[1]);
  }
  return Object.fromEntries(Object.entries(kinds).map(([name, kib]) => [name, MiB(kib * 1024)])) as ResidentByMapping;
}

/** The reports written in full: the server may be appending one as it is read (a cut line failed a growth run's JSON.parse after 10 rounds). */
const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean) : []);

/** Asks the server (started with memoryReporting) for a GC of every thread and its memory then. */
export async function memoryAfterGc(pid: number, reportFile: string): Promise<ServerMemory> {
  const known = lines(reportFile).length;
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 30_000; waited += 20) {
    const reports = lines(reportFile);
    if (reports.length > known) {
      const { rss, heapUsed, external, arrayBuffers, threads } = JSON.parse(reports[known]) as ServerMemory;
      return { rss, heapUsed, external, arrayBuffers, threads, ...(detail ? { smaps: { kinds: residentByMapping(pid) } } : {}) };
    }
    await sleep(20);
  }
  throw new Error(`the server (pid ${pid}) did not report its memory within 30 s: was it started with memoryReporting()?`);
}

/** The peak resident set of a process (Linux /proc), in bytes, since it started or since resetPeakRss. */
export function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  if (!line) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(line[1]) * 1024;
}

/** Resets the peak resident set of a process to its current one (Linux: clear_refs 5). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** An idle thread's young generation, MiB: V8 shrinks it to a page or two in each semi-space once a thread allocates little (it grows it under load, to 32 MiB on the main thread). */
const IDLE_YOUNG_MIB = 2;

/**
 * Why a reading is not one of the server at rest (none: it is): a self-check's thread alive (its
 * heap and its connection's page cache, given back when it ends), or a thread's young generation
 * still grown from the load (the main thread's 1-2 or 32 MiB made readings of the same server
 * swing by 30 MiB). Neither is growth: a reading the bench keeps is taken without them.
 */
export function unsettledBy(memory: ServerMemory): string[] {
  const reasons: string[] = [];
  if (memory.threads.some(({ name }) => name === 'self-check.worker')) reasons.push("a self-check's thread alive");
  const grown = memory.threads.filter(({ young }) => young > IDLE_YOUNG_MIB);
  if (grown.length > 0) reasons.push(`young generation grown (${grown.map(({ name, young }) => `${name} ${young} MiB`).join(', ')})`);
  return reasons;
}
