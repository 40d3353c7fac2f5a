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
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const length = bytes.length > 0 && !/\r\n(content-length|transfer-encoding):/i.test(`\r\n${head}`) ? `Content-Length: ${bytes.length}\r\n` : '';
  const { status, headers, text } = await rawExchange(server.url, Buffer.concat([Buffer.from(`${head}${length}Connection: close\r\n\r\n`, 'latin1'), bytes]), timeoutMs);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const answer = { status, contentType: headers['content-type'] ?? '', body: parsed };
  const [method, target] = head.split('\r\n')[0].split(' ');
  if (target?.startsWith('/')) contract.check(method, target, { ...answer, text });
  return answer;
}

/** An answer as it came off the socket: status (0 when none came in time), header fields (names in lower case, the last of a name) and body. */
export interface SocketAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The bytes of `request` written as they are on a fresh connection, its answer read whole until the server closes it or `timeoutMs`. */
export function rawExchange(url: string, request: Buffer | string, timeoutMs = 5000): Promise<SocketAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks).toString('utf8');
      const split = all.indexOf('\r\n\r\n');
      const [statusLine, ...fields] = (split < 0 ? all : all.slice(0, split)).split('\r\n');
      const headers: Record<string, string> = {};
      for (const field of fields) {
        const colon = field.indexOf(':');
        if (colon > 0) headers[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, text: split < 0 ? '' : all.slice(split + 4) });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('error', finish);
    socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
  });
}
