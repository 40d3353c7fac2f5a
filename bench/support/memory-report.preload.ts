import { appendFileSync } from 'node:fs';

/**
 * Preloaded into a spawned server (`node --expose-gc --require memory-report.preload.js`, see
 * ./server-memory.ts): on SIGUSR2 it runs a full garbage collection of the main thread and
 * appends the process's memory then (process.memoryUsage()), one JSON line, to BENCH_MEMORY_REPORT. The
 * bench reads the server's memory after a GC without a route or a hook in the app itself.
 */
const file = process.env.BENCH_MEMORY_REPORT;
const gc = (globalThis as { gc?: () => void }).gc;
if (file && gc) {
  process.on('SIGUSR2', () => {
    gc();
    appendFileSync(file, `${JSON.stringify(process.memoryUsage())}\n`);
  });
}
