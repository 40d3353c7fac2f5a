import { theilSen } from './growth-slope';
import type { ServerMemory } from './server-memory';

const MiB = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const tenths = (mib: number): number => Math.round(mib * 10) / 10;

/**
 * Where a reading's resident set is, MiB, part by part: V8's heaps (the main thread's, its young
 * generation apart; the worker threads' together), what the main thread holds outside its heap
 * (external, of which array buffers), and with BENCH_MEMORY_DETAIL=1 the mappings: malloc's main
 * heap and its other arenas (native allocations outside V8: SQLite's page caches among them, not
 * told apart), anonymous mappings beyond what V8 committed (large allocations malloc maps on their
 * own, V8's pages not counted as committed), and files (the binary, libraries, SQLite's mapped pages).
 */
export function memoryParts(memory: ServerMemory): [string, number][] {
  const [main, ...workers] = memory.threads;
  const v8 = memory.threads.reduce((sum, { committed }) => sum + committed, 0);
  const parts: [string, number][] = [
    ['RSS', MiB(memory.rss)],
    ['main V8 committed', main.committed],
    ['of which young', main.young],
    ['main V8 used', main.used],
    // Named in one order: the threads answer in any.
    [`workers' V8 committed (${workers.map(({ name }) => name.replace(/\.worker$/, '')).sort().join(', ')})`, tenths(v8 - main.committed)],
    ['external', MiB(memory.external)],
    ['of which array buffers', MiB(memory.arrayBuffers)],
  ];
  const kinds = memory.smaps?.kinds;
  if (!kinds) return parts;
  return [
    ...parts,
    ['malloc main heap', kinds.heap],
    ['malloc arenas', kinds.arenas],
    ["anonymous beyond V8's committed", tenths(kinds.anonymous - v8)],
    ['files', kinds.file],
  ];
}

/**
 * A markdown table of the parts of each reading, and a last row of each part's Theil-Sen slope
 * (MiB a reading) over the readings from `slopeFrom` (0-based) that were settled: which part rose.
 */
export function memoryPartsTable(readings: { label: string; memory: ServerMemory; unsettled: readonly string[] }[], slopeFrom: number): string {
  const rows = readings.map(({ label, memory, unsettled }) => ({ label: unsettled.length ? `${label} (not settled)` : label, parts: memoryParts(memory), settled: unsettled.length === 0 }));
  // The workers' column is named by the threads alive, which differ between readings.
  const names = rows[0].parts.map(([name], column) => (name.startsWith("workers'") ? "workers' V8 committed" : name) + (column === 0 ? ' (MiB)' : ''));
  const after = rows.slice(slopeFrom);
  const slopes = names.map((_, column) => tenths(theilSen(after.map(({ parts, settled }) => (settled ? parts[column]?.[1] : undefined)))));
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['after', ...names]),
    line(['---', ...names.map(() => '---:')]),
    ...rows.map(({ label, parts }) => line([label, ...parts.map(([, mib]) => mib)])),
    line([`slope from ${rows[slopeFrom]?.label ?? 'none'} on, settled readings (Theil-Sen, MiB a reading)`, ...slopes]),
  ].join('\n');
}
