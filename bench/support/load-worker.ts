import autocannon from 'autocannon';
import type { LoadJob, LoadOutcome } from './load';

/** Child process of ./load.ts: runs one autocannon job it is sent and sends back its LoadOutcome. */
async function run(job: LoadJob): Promise<LoadOutcome> {
  let next = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  // Each call takes the next request: with `amount` equal to their number, each is sent exactly once.
  // The rate is timed from the first request sent to the last response received: autocannon's own
  // end comes on its next 1-second tick, which would round every short run up to whole seconds.
  let firstSent: bigint | undefined;
  let lastAnswered: bigint | undefined;
  const take = () => {
    firstSent ??= process.hrtime.bigint();
    return job.requests[next++ % job.requests.length];
  };
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    // The shared machine stalls for seconds at times: a late answer is slow, not lost (it counts in the time).
    timeout: 60,
    ...(job.seconds === undefined ? { amount: job.requests.length } : { duration: job.seconds }),
    requests: [
      {
        setupRequest: (request) => ({ ...request, ...take() }),
        onResponse: (status, body) => {
          lastAnswered = process.hrtime.bigint();
          if (status >= 200 && status < 300) return;
          failed++;
          firstFailure ??= `${status} ${body}`;
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = firstSent === undefined || lastAnswered === undefined ? Number.NaN : Number(lastAnswered - firstSent) / 1e9;
  return { ok: result['2xx'], failed, errors: result.errors, timeouts: result.timeouts, seconds, cpuMicros: cpu.user + cpu.system, firstFailure };
}

// A rejection is unhandled here, so it ends the process with a non-zero code that fire() rejects with.
process.once('message', (job: LoadJob) => {
  void run(job).then((outcome) => process.send!(outcome, () => process.disconnect()));
});
process.send!('ready');
