import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of a server that loses answers, and what it saw. */
export interface LossyProxy {
  url: string;
  /** The Idempotency-Key of each request that matched, in order (undefined without one). */
  readonly keys: (string | undefined)[];
  /** Resolves once the server answered a request whose answer is lost (went through, then). */
  answerLost(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Forwards every connection to `target`; of the first `lose` requests whose head matches
 * `request` (a keep-alive connection carries one request at a time), past the first `skip` of
 * them, it lets the server answer and then cuts the client's connection before a byte of that
 * answer reaches it: the request went through, its answer was lost, as after a reset or a timeout.
 * With `hold`, the connection stays open instead, the answer never coming: a client waits for it
 * (until it is interrupted, say).
 */
export async function lossyProxy(target: string, request: RegExp, lose: number, skip = 0, loss: 'cut' | 'hold' = 'cut'): Promise<LossyProxy> {
  const { port: targetPort } = new URL(target);
  const keys: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  let lost = 0;
  let answerLost!: () => void;
  const firstAnswerLost = new Promise<void>((resolve) => (answerLost = resolve));
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), '127.0.0.1');
    sockets.add(client).add(upstream);
    let losing = false;
    client.on('data', (chunk: Buffer) => {
      // A client writes a small request's head in one piece, at the start of a chunk.
      const head = chunk.toString('latin1').split('\r\n\r\n')[0];
      if (request.test(head)) {
        keys.push(/\r\nidempotency-key: *([^\r]*)/i.exec(head)?.[1]);
        if (keys.length > skip && lost < lose) {
          lost++;
          losing = true;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!losing) client.write(chunk);
      else {
        answerLost();
        if (loss === 'cut') {
          client.destroy();
          upstream.destroy();
        }
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    keys,
    answerLost: () => firstAnswerLost,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
