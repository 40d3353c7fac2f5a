import { join } from 'node:path';
import { fork } from 'node:child_process';

/** One HTTP request as the load generator (./load-worker.ts) sends it. */
export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadJob {
  url: string;
  connections: number;
  requests: LoadRequest[];
  /** Cycle through `requests` for this long; when absent, send each request exactly once. */
  seconds?: number;
}

/** What the worker reports back. */
export interface LoadOutcome {
  ok: number;
  failed: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** CPU time (user + system) of the load generator's process over the run, in µs. */
  cpuMicros: number;
  firstFailure?: string;
}

export interface LoadResult {
  ok: number;
  seconds: number;
  perSecond: number;
  /** CPU time (user + system) of this process per request served: the server's, when it runs here. */
  cpuMicrosPerRequest: number;
  /** CPU time of the load generator per request: what it takes from the same cores. */
  loadCpuMicrosPerRequest: number;
}

/**
 * Fires `job` from a child process (./load-worker.ts), so the load generator neither takes turns
 * with the server on its event loop nor counts in this process's CPU time: the CPU measured
 * around the load is the server's (and whatever this process does beside it, which is nothing
 * while it waits). Any non-2xx answer, socket error or timeout fails the measurement: a figure
 * counts only requests the app really served.
 */
export async function fire(job: LoadJob): Promise<LoadResult> {
  const child = fork(join(__dirname, 'load-worker.js'), { serialization: 'advanced' });
  let cpuBefore = process.cpuUsage();
  const outcome = await new Promise<LoadOutcome>((resolve, reject) => {
    child.on('message', (message) => {
      if (message !== 'ready') return resolve(message as LoadOutcome);
      // The generator has loaded: from here on, the CPU of this process is the load's.
      cpuBefore = process.cpuUsage();
      child.send(job);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with code ${code} before reporting`)));
  });
  const cpu = process.cpuUsage(cpuBefore);
  if (outcome.failed > 0 || outcome.errors > 0 || outcome.timeouts > 0) {
    throw new Error(
      `${outcome.failed} non-2xx answers, ${outcome.errors} errors, ${outcome.timeouts} timeouts of ${outcome.ok + outcome.failed}; first: ${outcome.firstFailure}`,
    );
  }
  return {
    ok: outcome.ok,
    seconds: outcome.seconds,
    perSecond: outcome.ok / outcome.seconds,
    cpuMicrosPerRequest: (cpu.user + cpu.system) / outcome.ok,
    loadCpuMicrosPerRequest: outcome.cpuMicros / outcome.ok,
  };
}
