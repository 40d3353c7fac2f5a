import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { API_SECURITY_HEADERS } from './api-security-headers';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';
import { requestArriving } from './request-deadline';

const STATUS_OF: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'The request line or headers are larger than this server accepts.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', detail: 'The request did not arrive in time.' },
};

/**
 * Requests Node refuses before Fastify parses them (headers or URL too large, malformed HTTP):
 * answered on the raw socket, as problem details like every other refusal.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // Node's deadline also expires a connection that sent nothing (no request to answer), or whose request came after an answer under way.
  if (error.code === 'ECONNRESET' || !socket.writable || (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && !requestArriving(socket))) {
    socket.destroy(error);
    return;
  }
  const known = STATUS_OF[error.code ?? ''] ?? { status: 400, code: 'MALFORMED_REQUEST', detail: 'The HTTP request is malformed.' };
  endWithProblem(socket, known.status, known.code, known.detail);
}

/** The security headers every API answer carries, as header lines: no request was read, so no page is known to be asked for. */
const SECURITY_HEADER_LINES = Object.entries(API_SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/** A problem written on the raw socket, which is then closed: for requests answered before Fastify has them. */
export function endWithProblem(socket: Duplex, status: number, code: string, detail: string): void {
  const body = JSON.stringify(problem(status, code, detail));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${SECURITY_HEADER_LINES}Connection: close\r\n\r\n${body}`,
  );
}
