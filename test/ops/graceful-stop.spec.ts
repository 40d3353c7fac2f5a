import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { withDeadline } from '../support/with-deadline';
import { ServerProcess } from './support/server-process';

const TOKEN = randomBytes(32).toString('base64url');

/** A POST /v1/orgs on the wire, head and body apart: a test may send the body in pieces. */
function createOrg(host: string, name: string, expect = ''): { head: string; body: string } {
  const body = JSON.stringify({ name, superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice' } });
  const head = `POST /v1/orgs HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${expect}\r\n`;
  return { head, body };
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** The responses read from `socket` until the server closes it (a 100 Continue left out): status, headers and body of each. */
function responsesUntilClose(socket: Socket): Promise<{ status: number; headers: Record<string, string>; body: string }[]> {
  let raw = '';
  socket.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  return new Promise((resolve) =>
    socket.once('close', () => {
      const answers = [];
      let rest = raw.replace(CONTINUE, '');
      while (rest.startsWith('HTTP/1.1 ')) {
        const end = rest.indexOf('\r\n\r\n');
        const [statusLine, ...fields] = rest.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(fields.map((field) => [field.slice(0, field.indexOf(':')).toLowerCase(), field.slice(field.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length']);
        answers.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
        rest = rest.slice(end + 4 + length);
      }
      resolve(answers);
    }),
  );
}

async function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(port, '127.0.0.1');
    probe.once('connect', () => (probe.destroy(), resolve(false)));
    probe.once('error', () => resolve(true));
  });
}

describe('a SIGTERM while requests are in flight', () => {
  let server: ServerProcess | undefined;
  afterEach(() => server?.dispose());

  it('answers the request in flight in full, and one that arrives on its connection while stopping with a 503 problem and Retry-After; exit code 0', async () => {
    server = ServerProcess.spawn({ BOOTSTRAP_TOKEN: TOKEN });
    const url = new URL(await server.listening());
    const port = Number(url.port);
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const answers = responsesUntilClose(socket);
    // The first request's body is held back: it keeps the request, and the stop, in flight.
    // Its 100 Continue says the server has read its headers and taken the request in.
    const first = createOrg(url.host, 'Acme', 'Expect: 100-continue\r\n');
    const continued = new Promise<void>((resolve) => {
      let seen = '';
      const look = (chunk: Buffer): void => {
        seen += chunk.toString();
        if (seen.includes(CONTINUE)) (socket.off('data', look), resolve());
      };
      socket.on('data', look);
    });
    socket.write(first.head + first.body.slice(0, 10));
    await continued;
    server.child.kill('SIGTERM');
    await withDeadline(
      `the server to refuse new connections on port ${port} once sent SIGTERM`,
      10_000,
      async (signal) => {
        while (!(await refusesConnections(port))) {
          signal.throwIfAborted();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      },
      () => server!.describe(),
    );
    const second = createOrg(url.host, 'Late');
    socket.write(first.body.slice(10) + second.head + second.body);

    const [answered, refused, ...more] = await answers;
    expect(answered.status).toBe(201);
    expect(JSON.parse(answered.body)).toMatchObject({ orgId: expect.any(String) });
    expect(refused).toMatchObject({ status: 503, headers: { 'content-type': expect.stringContaining('application/problem+json'), connection: 'close', 'retry-after': expect.any(String) } });
    expect(JSON.parse(refused.body)).toMatchObject({ status: 503, code: 'SHUTTING_DOWN' });
    expect(more).toEqual([]);
    expect((await server.exitWithin(10_000)).code).toBe(0);
  }, 20_000);
});
