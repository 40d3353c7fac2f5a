import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Node options and environment with which a spawned server reports its memory after a GC on demand (see memory-report.preload.ts). */
export function memoryReporting(reportFile: string): { nodeArgs: string[]; env: Record<string, string> } {
  return { nodeArgs: ['--expose-gc', '--require', join(__dirname, 'memory-report.preload.js')], env: { BENCH_MEMORY_REPORT: reportFile } };
}

/** A process's memory after a full GC of its main thread, in bytes: its resident set and that thread's V8 heap in use. */
export interface ServerMemory {
  rss: number;
  heapUsed: number;
}

/** The reports written in full: the server may be appending one as it is read (a cut line failed a growth run's JSON.parse after 10 rounds). */
const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean) : []);

/** Asks the server (started with memoryReporting) for a GC and its memory then. */
export async function memoryAfterGc(pid: number, reportFile: string): Promise<ServerMemory> {
  const known = lines(reportFile).length;
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 30_000; waited += 20) {
    const reports = lines(reportFile);
    if (reports.length > known) {
      const { rss, heapUsed } = JSON.parse(reports[known]) as NodeJS.MemoryUsage;
      return { rss, heapUsed };
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
