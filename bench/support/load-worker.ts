import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import type { LoadJob, LoadOutcome } from './load';

/** Worker thread of ./load.ts: runs one autocannon job and posts its LoadOutcome. */
async function run(job: LoadJob): Promise<LoadOutcome> {
  let next = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  // Each call takes the next request: with `amount` equal to their number, each is sent exactly once.
  const take = () => job.requests[next++ % job.requests.length];
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    ...(job.seconds === undefined ? { amount: job.requests.length } : { duration: job.seconds }),
    requests: [
      {
        setupRequest: (request) => ({ ...request, ...take() }),
        onResponse: (status, body) => {
          if (status >= 200 && status < 300) return;
          failed++;
          firstFailure ??= `${status} ${body}`;
        },
      },
    ],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ok: result['2xx'], failed, errors: result.errors, timeouts: result.timeouts, seconds, firstFailure };
}

// A rejection is unhandled here, so it ends the worker with an 'error' event that fire() rejects with.
void run(workerData as LoadJob).then((outcome) => parentPort!.postMessage(outcome));
