import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Node's options that make a request's deadline (`requestTimeout`, a 408 past it) hold: Node
 * enforces it only while headersTimeout (60 s by default) is no longer than it, and when it checks
 * its connections (every 30 s by default), so often enough to keep to it.
 */
export const requestDeadline = (requestTimeoutMs: number): Pick<ServerOptions, 'requestTimeout' | 'headersTimeout' | 'connectionsCheckingInterval'> => ({
  requestTimeout: requestTimeoutMs,
  headersTimeout: Math.min(60_000, requestTimeoutMs),
  connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
});

/** What Node keeps on a server's socket, undocumented: its HTTP parser, and the answer being written on it. */
interface ServerSocket extends Socket {
  parser?: { incoming: IncomingMessage | null; duration(): number } | null;
  _httpMessage?: ServerResponse | null;
}

/**
 * Whether a request has begun to arrive on `socket`, has not all arrived, and nothing has been
 * answered to it: what a 408 answers. Node's parser times a message from its first byte (from the
 * connection's start while none has come, hence bytesRead) and stops once the message is complete.
 */
export function requestArriving(socket: Socket): boolean {
  const { parser, _httpMessage: answer, bytesRead } = socket as ServerSocket;
  if (!socket.writable || !parser || bytesRead === 0 || parser.duration() === 0) return false;
  const incoming = parser.incoming;
  // Its body under way: its answer is on the socket until written (gone, it was refused before its body came).
  if (incoming && !incoming.complete) return answer?.req === incoming && !answer.headersSent;
  // Its line or headers under way: an answer on the socket is an earlier request's, which a 408 would corrupt.
  return !answer;
}

/**
 * The idle timeout (`connectionTimeout`) counts from a connection's last byte, the request deadline
 * from the request's first and only at Node's next check: a body that stalled met the idle timeout
 * first (always, the two being equal by default) and Node closed its connection with no answer.
 * Whichever comes first, a request still arriving gets the deadline's 408 (`clientError`, as Node
 * raises it); any other idle connection is closed, as Node closes it without a 'timeout' listener.
 */
export function answerStalledRequests(server: Server): void {
  server.on('timeout', (socket: Socket) => {
    if (requestArriving(socket)) server.emit('clientError', Object.assign(new Error('The request did not arrive in time'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
    else socket.destroy();
  });
}
