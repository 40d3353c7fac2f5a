/**
 * WORKERS=2: the cluster hands each connection to one worker, but /metrics and /health/ready
 * answer for the cluster as one, whichever worker takes the scrape: its counters summed over every
 * worker (a scrape that read one worker's would look to Prometheus like a counter reset), the
 * series of every role, and the readiness of every worker and role.
 */
import { connect } from 'node:net';
import { closedPort } from '../support/closed-port';
import { ownConnectionCall } from './support/own-connection-call';
import { ServerProcess } from './support/server-process';

const CALLS = 20;

/** The sum of the samples of `name` whose labels hold every one of `labels`, in Prometheus text. */
function sampleSum(text: string, name: string, labels: string[]): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** One request written on a connection already handed to a worker, and the answer's status line and body, as text. */
function rawAnswer(socket: ReturnType<typeof connect>, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      const head = text.indexOf('\r\n\r\n');
      if (length !== undefined && head >= 0 && Buffer.byteLength(text.slice(head + 4)) >= Number(length)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ztkeys\r\n\r\n`);
  });
}

describe('a cluster scraped and probed as one (WORKERS=2)', () => {
  let server: ServerProcess;
  let url: string;
  beforeAll(async () => {
    // A Redis that does not answer: worker 0's email queue is down, worker 1 (the API alone) uses none.
    server = ServerProcess.spawn({ WORKERS: '2', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    url = await server.listening(120_000);
    const deadline = Date.now() + 60_000;
    while (server.logLines.filter((line) => String(line.msg).includes('listening')).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }, 180_000);
  afterAll(() => server?.dispose());

  it('gives every scrape the counters of every worker, summed, and the series of every role', async () => {
    for (let i = 0; i < CALLS; i++) expect((await ownConnectionCall(url, 'GET', '/v1/orgs/none', 'not-a-token')).status).toBe(401);
    // Each call's request line names the process that served it: both did.
    const served = () => server.logLines.filter((line) => (line.req as { url?: string } | undefined)?.url === '/v1/orgs/none');
    for (const deadline = Date.now() + 10_000; served().length < CALLS && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new Set(served().map((line) => line.pid)).size).toBe(2);

    // Consecutive scrapes, each on a connection of its own: the cluster hands them to the workers in turn.
    const scrapes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const scrape = await ownConnectionCall(url, 'GET', '/metrics', '');
      expect(scrape.status).toBe(200);
      scrapes.push(scrape.body as string);
    }
    for (const text of scrapes) {
      expect(sampleSum(text, 'ztkeys_http_request_duration_seconds_count', ['method="GET"', 'status="401"'])).toBe(CALLS);
      // Worker 0's roles (the notifier), in every scrape.
      expect(text).toMatch(/^ztkeys_subscriber_lag_events\{subscriber="notifier"\}/m);
      // The process metrics of each worker, told apart by its index.
      expect(text).toMatch(/^process_start_time_seconds\{worker="0"\} /m);
      expect(text).toMatch(/^process_start_time_seconds\{worker="1"\} /m);
    }
    // The scrapes themselves are counted, by whichever worker served each: never fewer from one scrape to the next.
    const counted = scrapes.map((text) => sampleSum(text, 'ztkeys_http_request_duration_seconds_count', ['route="/metrics"']));
    expect(counted).toEqual([...counted].sort((a, b) => a - b));
  }, 60_000);

  it('answers readiness for every worker and role, whichever worker takes the probe', async () => {
    const probes = [];
    for (let i = 0; i < 6; i++) probes.push(await ownConnectionCall(url, 'GET', '/health/ready', ''));
    for (const probe of probes) {
      expect(probe.status).toBe(503);
      expect(probe.body.code).toBe('NOT_READY');
      // Worker 0's email queue, whichever worker answered.
      expect(probe.body.checks.emailQueue.status).toBe('down');
      expect(Object.keys(probe.body.checks).sort()).toEqual(Object.keys(probes[0].body.checks).sort());
    }
  }, 60_000);

  it('answers 503 rather than one worker\'s figures while the primary does not answer', async () => {
    // Connections already handed to a worker: with the primary stopped, no new one would be.
    const kept = [connect(Number(new URL(url).port), '127.0.0.1'), connect(Number(new URL(url).port), '127.0.0.1')];
    for (const socket of kept) socket.on('error', () => undefined);
    for (const socket of kept) expect(await rawAnswer(socket, '/health/live')).toMatch(/^HTTP\/1\.1 200/);
    process.kill(server.child.pid!, 'SIGSTOP');
    try {
      // Each worker waits 3.5 s for the primary (its 3 s for the workers and its own 500 ms), both at once.
      const answers = await Promise.all(kept.map(async (socket) => [await rawAnswer(socket, '/metrics'), await rawAnswer(socket, '/health/ready')]));
      for (const [metrics, ready] of answers) {
        expect(metrics).toMatch(/^HTTP\/1\.1 503/);
        expect(metrics).toMatch(/content-type: application\/problem\+json/i);
        expect(metrics).toContain('"code":"METRICS_UNAVAILABLE"');
        expect(ready).toMatch(/^HTTP\/1\.1 503/);
        expect(ready).toContain('"code":"NOT_READY"');
        expect(ready).toContain("the cluster's primary did not answer");
      }
    } finally {
      process.kill(server.child.pid!, 'SIGCONT');
      for (const socket of kept) socket.destroy();
    }
    expect(await server.stopWith('SIGTERM', 8000)).toBeLessThan(8000);
  }, 60_000);
});
