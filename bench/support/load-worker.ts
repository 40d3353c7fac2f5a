import { connect, type Socket } from 'node:net';
import { Http1Responses } from './http1-responses';
import type { LoadJob, LoadOutcome, LoadRequest } from './load';

/** The shared machine stalls for seconds at times: a late answer is slow, not lost (it counts in the time). */
const TIMEOUT_MS = 60_000;

/**
 * A request's bytes, built before the clock starts: the generator shares the server's cores, so
 * per request it only writes them and splits the answers (autocannon copied each request object
 * and built its bytes while timed: 80-100 µs of CPU per request, a sixth of the server's).
 */
function serialized(request: LoadRequest, host: string): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = { host, ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const head = `${request.method} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

/**
 * Child process of ./load.ts: runs one job it is sent over `connections` keep-alive connections,
 * one request in flight on each, and sends back its LoadOutcome. Without `seconds`, each request
 * is sent exactly once; with it, they are sent in turn until the time is up.
 */
async function run(job: LoadJob): Promise<LoadOutcome> {
  const url = new URL(job.url);
  const requests = job.requests.map((request) => serialized(request, url.host));
  let next = 0;
  let ok = 0;
  let failed = 0;
  let errors = 0;
  let timeouts = 0;
  let firstFailure: string | undefined;
  // Timed from the first request sent to the last response received.
  let firstSent: bigint | undefined;
  let lastAnswered: bigint | undefined;
  let deadline: bigint | undefined;
  const more = () => (deadline === undefined ? next < requests.length : process.hrtime.bigint() < deadline);

  const cpuBefore = process.cpuUsage();
  const connection = (socket: Socket) =>
    new Promise<void>((resolve) => {
      const responses = new Http1Responses();
      let inFlight = false;
      let counted = false;
      const send = () => {
        inFlight = more();
        if (!inFlight) return socket.end();
        if (firstSent === undefined) {
          firstSent = process.hrtime.bigint();
          if (job.seconds !== undefined) deadline = firstSent + BigInt(job.seconds * 1e9);
        }
        socket.write(requests[next++ % requests.length]);
      };
      socket.setNoDelay(true);
      socket.setTimeout(TIMEOUT_MS, () => {
        timeouts++;
        counted = true;
        socket.destroy();
      });
      socket.once('connect', send);
      socket.on('data', (chunk: Buffer) => {
        for (const { status, body } of responses.push(chunk)) {
          lastAnswered = process.hrtime.bigint();
          if (status >= 200 && status < 300) ok++;
          else {
            failed++;
            firstFailure ??= `${status} ${body.toString('utf8')}`;
          }
          send();
        }
      });
      socket.once('error', (error) => {
        errors++;
        counted = true;
        firstFailure ??= error.message;
      });
      socket.once('close', () => {
        // Closed by the server with a request unanswered: that request is lost.
        if (inFlight && !counted) errors++;
        resolve();
      });
    });
  await Promise.all(Array.from({ length: job.connections }, () => connection(connect(Number(url.port || 80), url.hostname))));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = firstSent === undefined || lastAnswered === undefined ? Number.NaN : Number(lastAnswered - firstSent) / 1e9;
  return { ok, failed, errors, timeouts, seconds, cpuMicros: cpu.user + cpu.system, firstFailure };
}

// A rejection is unhandled here, so it ends the process with a non-zero code that fire() rejects with.
process.once('message', (job: LoadJob) => {
  void run(job).then((outcome) => process.send!(outcome, () => process.disconnect()));
});
process.send!('ready');
