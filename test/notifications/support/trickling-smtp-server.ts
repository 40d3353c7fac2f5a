import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * An SMTP server that greets, then answers EHLO with a reply that never ends: one more "250-"
 * line every `everyMs`, so the client's socket is never idle long enough for its idle timeout (a
 * tarpit, or a server stuck in a loop). Nothing but a bound on the whole send ends it.
 */
export class TricklingSmtpServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Connections open now. */
    readonly open: Set<Socket>,
  ) {}

  static async start(everyMs = 100): Promise<TricklingSmtpServer> {
    const open = new Set<Socket>();
    const server = createServer((socket) => {
      open.add(socket);
      let trickle: NodeJS.Timeout | undefined;
      socket.on('close', () => (clearInterval(trickle), open.delete(socket)));
      socket.on('error', () => undefined);
      socket.write('220 slow.example ESMTP\r\n');
      socket.once('data', () => {
        trickle = setInterval(() => socket.write('250-slow.example still thinking\r\n'), everyMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TricklingSmtpServer(server, (server.address() as AddressInfo).port, open);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
