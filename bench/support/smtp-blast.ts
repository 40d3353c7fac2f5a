import { connect, type Socket } from 'node:net';

/** A message as an SMTP client puts it on the wire after DATA: dot-stuffed, CRLF line ends, ending with CRLF. */
export interface WireMessage {
  from: string;
  to: string;
  data: Buffer;
}

/** Dot-stuffs a built RFC 5322 message (CRLF line ends) for the DATA phase. */
export function wireMessage(from: string, to: string, rfc822: Buffer): WireMessage {
  const text = rfc822.toString('binary').replace(/(^|\r\n)\./g, '$1..');
  return { from, to, data: Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'binary') };
}

/**
 * A raw SMTP client that measures the sink's own limit: `connections` sockets, each writing
 * up to `window` whole transactions (MAIL, RCPT, DATA, the pre-built body and its final dot)
 * ahead of the replies, as RFC 2920 pipelining lets a client that does not wait for the 354.
 * Resolves once every message got its final reply; a refusal rejects.
 */
export async function blastSmtp(port: number, messages: readonly WireMessage[], connections: number, window: number): Promise<void> {
  let next = 0;
  const take = (): WireMessage | undefined => (next < messages.length ? messages[next++] : undefined);
  await Promise.all(Array.from({ length: connections }, () => blastOne(port, take, window)));
}

async function blastOne(port: number, take: () => WireMessage | undefined, window: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const replies = replyReader(socket);
  expectCode(await replies.next(), 220);
  socket.write('EHLO blast.example\r\n');
  expectCode(await replies.next(), 250);
  let inFlight = 0;
  const send = (): boolean => {
    const message = take();
    if (!message) return false;
    inFlight += 1;
    socket.cork();
    socket.write(`MAIL FROM:<${message.from}>\r\nRCPT TO:<${message.to}>\r\nDATA\r\n`);
    socket.write(message.data);
    socket.write('.\r\n');
    socket.uncork();
    return true;
  };
  while (inFlight < window && send());
  while (inFlight > 0) {
    for (const code of [250, 250, 354, 250]) expectCode(await replies.next(), code);
    inFlight -= 1;
    send();
  }
  socket.end('QUIT\r\n');
}

function expectCode(reply: string, code: number): void {
  if (!reply.startsWith(String(code))) throw new Error(`SMTP sink answered "${reply}", expected ${code}`);
}

/** Final lines of SMTP replies ("250 OK"; the "250-…" lines of a multi-line reply are skipped), in order. */
function replyReader(socket: Socket): { next(): Promise<string> } {
  const ready: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  let failure: Error | undefined;
  let rest = '';
  socket.setEncoding('binary');
  socket.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\r\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line[3] === '-') continue;
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(line);
      else ready.push(line);
    }
  });
  const fail = (error: Error): void => {
    failure = error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('SMTP sink closed the connection')));
  return {
    next: () => {
      const line = ready.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
