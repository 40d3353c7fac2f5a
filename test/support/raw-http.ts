import { connect } from 'node:net';
import type { Reply } from './api-client';
import { answerContract } from './answer-contract';
import type { TestServer } from './test-server';

/**
 * One request written byte for byte on a fresh connection (`Connection: close`): for what fetch
 * cannot send (a header given twice, no Host, CONNECT, bytes that are not UTF-8). The answer as
 * `call` gives it, or status 0 when the server closed without answering or did not answer in time.
 * An answer to an origin-form target must be what the OpenAPI document declares, as with `call`.
 */
export async function rawCall(server: TestServer, head: string, body: Buffer | string = '', timeoutMs = 5000): Promise<Reply> {
  const contract = await answerContract(server.url);
  const { answer, text } = await exchange(server, head, body, timeoutMs);
  const [method, target] = head.split('\r\n')[0].split(' ');
  if (target?.startsWith('/')) contract.check(method, target, { ...answer, text });
  return answer;
}

function exchange(server: TestServer, head: string, body: Buffer | string, timeoutMs: number): Promise<{ answer: Reply; text: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const headers = split < 0 ? text : text.slice(0, split);
      const rest = split < 0 ? '' : text.slice(split + 4);
      let parsed: unknown = rest;
      try {
        parsed = JSON.parse(rest);
      } catch {
        // not JSON: keep the text
      }
      const answer = {
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0),
        contentType: /\r\ncontent-type: *([^\r]*)/i.exec(headers)?.[1] ?? '',
        body: parsed,
      };
      resolve({ answer, text: rest });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('error', finish);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const length = bytes.length > 0 && !/\r\n(content-length|transfer-encoding):/i.test(`\r\n${head}`) ? `Content-Length: ${bytes.length}\r\n` : '';
    socket.write(Buffer.concat([Buffer.from(`${head}${length}Connection: close\r\n\r\n`, 'latin1'), bytes]));
  });
}
