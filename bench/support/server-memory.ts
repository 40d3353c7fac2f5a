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
  smaps?: { kinds: Record<'file' | 'heap' | 'arenas' | 'anonymous' | 'other', number> };
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
      const { rss, heapUsed, external, arrayBuffers, threads, smaps } = JSON.parse(reports[known]) as ServerMemory;
      return { rss, heapUsed, external, arrayBuffers, threads, ...(smaps ? { smaps: { kinds: smaps.kinds } } : {}) };
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
