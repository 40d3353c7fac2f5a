/**
 * The threads that fold the store's own log decode it unchecked (its records were emitted by the
 * deciders), so they need no event schema: none loads zod, which was half of their modules and of
 * the CPU of starting one. Each thread's entry is loaded in a real worker thread, as the server
 * starts it (from source here), and the thread's own module cache is read.
 */
import { once } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WORKER_FROM_SOURCE } from '../../src/shared/worker-from-source';

const RUNTIME = join(__dirname, '..', '..', 'src', 'runtime');

/**
 * The modules a worker thread holds once `entry` is loaded (the entry waits for a first message: the thread is stopped
 * once it answered). Stopped from here: with the thread calling `process.exit` right after posting, the suite waited
 * for its message or its end until its timeout at times (3 of 24 runs of this file, three at once on 2 cores, and a CI
 * run; 24 of 24 passed stopped from here).
 */
async function modulesOf(entry: string): Promise<string[]> {
  const source = `require(${JSON.stringify(entry)}); require('node:worker_threads').parentPort.postMessage(Object.keys(require.cache));`;
  const worker = new Worker(source, { eval: true, workerData: {}, ...WORKER_FROM_SOURCE });
  try {
    const [modules] = (await once(worker, 'message')) as [string[]];
    return modules;
  } finally {
    await worker.terminate();
  }
}

describe('the threads that fold the log', () => {
  it.each(['projector.worker.ts', 'transparency.worker.ts', 'self-check.worker.ts'])('%s loads no zod', async (entry) => {
    const modules = await modulesOf(join(RUNTIME, entry));
    expect(modules.some((path) => path.endsWith(`${entry.replace('.ts', '')}.ts`))).toBe(true);
    expect(modules.filter((path) => path.includes('/node_modules/zod/'))).toEqual([]);
  });
});
