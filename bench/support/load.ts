import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** One HTTP request as autocannon sends it. */
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
  firstFailure?: string;
}

export interface LoadResult {
  ok: number;
  seconds: number;
  perSecond: number;
}

/**
 * Fires `job` with autocannon from a worker thread, so the load generator does not take turns
 * with the server on its event loop. Any non-2xx answer, socket error or timeout fails the
 * measurement: a figure counts only requests the app really served.
 */
export async function fire(job: LoadJob): Promise<LoadResult> {
  const outcome = await new Promise<LoadOutcome>((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code} before reporting`)));
  });
  if (outcome.failed > 0 || outcome.errors > 0 || outcome.timeouts > 0) {
    throw new Error(
      `${outcome.failed} non-2xx answers, ${outcome.errors} errors, ${outcome.timeouts} timeouts of ${outcome.ok + outcome.failed}; first: ${outcome.firstFailure}`,
    );
  }
  return { ok: outcome.ok, seconds: outcome.seconds, perSecond: outcome.ok / outcome.seconds };
}
