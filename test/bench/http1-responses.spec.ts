import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { Http1Responses } from '../../bench/support/http1-responses';

/** What a node:http server sends back for `requests` written at once on one connection. */
async function bytesAnswering(server: Server, requests: string): Promise<Buffer> {
  const { port } = server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.end(requests);
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks);
}

describe("the load generator's response framing", () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/empty') return response.writeHead(204).end();
      if (request.url === '/chunked') return response.write('streamed, ') && response.end('in chunks');
      const body = JSON.stringify({ url: request.url, é: 'ü' });
      response.writeHead(request.url === '/missing' ? 404 : 200, { 'Content-Length': Buffer.byteLength(body) }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('splits keep-alive answers into responses however the bytes arrive', async () => {
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: test\r\n\r\n`;
    const bytes = await bytesAnswering(server, get('/a') + get('/empty') + get('/missing') + get('/b'));
    const whole = new Http1Responses().push(bytes);
    const responses = new Http1Responses();
    const byteByByte = [...bytes].flatMap((byte) => responses.push(Buffer.from([byte])));
    for (const split of [whole, byteByByte]) {
      expect(split.map(({ status, body }) => [status, body.toString()])).toEqual([
        [200, '{"url":"/a","é":"ü"}'],
        [204, ''],
        [404, '{"url":"/missing","é":"ü"}'],
        [200, '{"url":"/b","é":"ü"}'],
      ]);
    }
  });

  it('refuses a response it cannot frame by its length rather than miscount it', async () => {
    const bytes = await bytesAnswering(server, 'GET /chunked HTTP/1.1\r\nhost: test\r\n\r\n');
    expect(() => new Http1Responses().push(bytes)).toThrow('response without Content-Length: HTTP/1.1 200 OK');
  });
});
