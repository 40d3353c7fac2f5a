import { connect } from 'node:net';
import { type TestAgent } from '../support/api-client';
import { rawCall } from '../support/raw-http';
import { serverForSuite } from '../support/server-for-suite';
import type { TestServer } from '../support/test-server';
import { expectNothingWritten, expectProblem } from './expectations';

/** Far above both timeouts: a connection still open after this is held. */
const PATIENCE_MS = 10_000;

/**
 * `bytes` written on a fresh connection, then nothing: what the server sent before closing it
 * (within PATIENCE_MS), and whether it closed it.
 */
function stall(server: TestServer, bytes: string): Promise<{ closed: boolean; received: string }> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let received = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ closed, received });
    };
    const timer = setTimeout(() => done(false), PATIENCE_MS);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
    if (bytes) socket.write(bytes);
  });
}

/**
 * A request whose body stalls is timed twice: from its first byte (REQUEST_TIMEOUT_MS, a 408) and
 * from the connection's last byte (CONNECTION_TIMEOUT_MS, a close). Equal, as by default, the close
 * came first and the client saw its connection end with no answer.
 */
describe('requests that stop arriving, with REQUEST_TIMEOUT_MS and CONNECTION_TIMEOUT_MS equal (as by default)', () => {
  const suite = serverForSuite({ REQUEST_TIMEOUT_MS: '2000', CONNECTION_TIMEOUT_MS: '2000', MIN_POSITION_WAIT_MS: '100' });
  let alice: TestAgent;
  const head = (framing: string) =>
    `POST /v1/orgs/${alice.orgId}/challenges HTTP/1.1\r\nHost: ztkeys\r\nAuthorization: Bearer ${alice.token}\r\nContent-Type: application/json\r\n${framing}\r\n`;

  beforeAll(async () => {
    alice = await suite.journey.createOrg('alice');
  });

  it('answers 408 problem details, then closes, to a body shorter than its Content-Length and to chunks that never end', async () => {
    await expectNothingWritten(suite.server, async () => {
      for (const [framing, sent] of [['Content-Length: 100', '{"a":1}'], ['Transfer-Encoding: chunked', '7\r\n{"a":1}\r\n']]) {
        expectProblem(await rawCall(suite.server, head(framing), sent, PATIENCE_MS), 408, 'REQUEST_TIMEOUT');
      }
    });
  });

  it('answers 408 to headers that stop half-way, and to a stalled body sent on a connection kept alive from an earlier answer', async () => {
    const halfHeaders = await stall(suite.server, `POST /v1/orgs/${alice.orgId}/challenges HTTP/1.1\r\nHost: ztkeys\r\nAuthor`);
    expect(halfHeaders).toEqual({ closed: true, received: expect.stringMatching(/^HTTP\/1\.1 408 .*"code":"REQUEST_TIMEOUT"/s) });
    const second = await stall(suite.server, `GET /health/live HTTP/1.1\r\nHost: ztkeys\r\n\r\n${head('Content-Length: 100')}\r\n{"a":1}`);
    expect(second.closed).toBe(true);
    expect(second.received).toMatch(/^HTTP\/1\.1 200 .*\r\n\r\n.*HTTP\/1\.1 408 .*"code":"REQUEST_TIMEOUT"/s);
  });

  it('closes a connection that sends nothing, without an answer: no request came', async () => {
    expect(await stall(suite.server, '')).toEqual({ closed: true, received: '' });
  });
});
