import { checkedFetch } from '../support/answer-contract';
import { rawExchange as exchange, type SocketAnswer } from '../support/raw-http';
import { serverForSuite } from '../support/server-for-suite';

/** The headers README promises on every answer of the API, the console and docs pages aside. */
const SECURITY_HEADERS = ['cache-control', 'x-content-type-options', 'content-security-policy'] as const;

const pick = (headers: Record<string, string>, names: readonly string[]) => Object.fromEntries(names.map((name) => [name, headers[name]]));

describe('refusals written before Fastify has the request carry the headers of every other API answer (README: answers of the API)', () => {
  const suite = serverForSuite();
  /** What an ordinary API problem (a 404 of the router) carries: the refusals below must carry the same. */
  let ordinary: Record<string, string>;

  beforeAll(async () => {
    const response = await checkedFetch(`${suite.server.url}/v1/nowhere`);
    await response.arrayBuffer();
    ordinary = {};
    response.headers.forEach((value, name) => (ordinary[name] = value));
    expect(response.status).toBe(404);
    expect(pick(ordinary, SECURITY_HEADERS)).toEqual({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': expect.stringMatching(/^default-src 'none'/) });
  });

  const expectRefusal = (answer: SocketAnswer, status: number, code: string) => {
    expect({ status: answer.status, code: (JSON.parse(answer.text) as { code?: string }).code }).toEqual({ status, code });
    expect(pick(answer.headers, SECURITY_HEADERS)).toEqual(pick(ordinary, SECURITY_HEADERS));
  };

  // Each refused by Node's HTTP parser (or its header limit), answered by the client error handler on the raw socket.
  const malformed: Array<[string, Buffer | string, number, string]> = [
    ['a method that is none (FOO)', 'FOO /v1/orgs/x HTTP/1.1\r\nHost: ztkeys\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['a 20,000-character path', `GET /v1/orgs/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: ztkeys\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['Content-Length given twice', 'POST /v1/orgs HTTP/1.1\r\nHost: ztkeys\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}', 400, 'MALFORMED_REQUEST'],
    ['a folded header line', 'GET /health/live HTTP/1.1\r\nHost: ztkeys\r\nX-Folded: a\r\n b\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['Transfer-Encoding: identity', 'POST /v1/orgs HTTP/1.1\r\nHost: ztkeys\r\nContent-Type: application/json\r\nTransfer-Encoding: identity\r\n\r\n{}', 400, 'MALFORMED_REQUEST'],
    ['a raw byte that is no ASCII in the path', Buffer.concat([Buffer.from('GET /v1/orgs/'), Buffer.from([0xff]), Buffer.from(' HTTP/1.1\r\nHost: ztkeys\r\n\r\n')]), 400, 'MALFORMED_REQUEST'],
  ];
  it.each(malformed)('%s', async (_case, request, status, code) => {
    expectRefusal(await exchange(suite.server.url, request), status, code);
  });

  it('CONNECT, answered on the raw socket (405)', async () => {
    expectRefusal(await exchange(suite.server.url, 'CONNECT ztkeys:443 HTTP/1.1\r\nHost: ztkeys:443\r\n\r\n'), 405, 'METHOD_NOT_ALLOWED');
  });

  it('an Expect other than 100-continue (417), whose content type is that of every other problem', async () => {
    const request = 'PATCH /v1/orgs/x HTTP/1.1\r\nHost: ztkeys\r\nContent-Type: application/json\r\nExpect: 200-ok\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}';
    const answer = await exchange(suite.server.url, request);
    expectRefusal(answer, 417, 'EXPECTATION_FAILED');
    expect(answer.headers['content-type']).toBe(ordinary['content-type']);
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });
});
