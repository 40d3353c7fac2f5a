import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  rcptTo: string[];
}

/** An SMTP reply the sink gives instead of accepting. 421 also closes the connection (RFC 5321 §3.8). */
export interface SmtpRefusal {
  code: 421 | 451 | 550 | 554;
  text: string;
}

/**
 * A real SMTP server on loopback that keeps what it accepts. It can refuse recipients (421 and
 * closing, 451 a temporary failure, 550 a permanent one), whole messages, logins, or whole
 * connections at the greeting, hold its reply to DATA, and drop a connection during DATA, to
 * stage outages and crashes.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** While true, every recipient is refused with `refusal`. */
  refusing = false;
  refusal: SmtpRefusal = { code: 451, text: 'mailbox busy, try again later' };
  /** While refusing, these answers are given first, one per recipient, before `refusal`. */
  refusalsInTurn: SmtpRefusal[] = [];
  /** Recipients refused so far. */
  refusals = 0;
  /** These recipients are refused with their answer, refusing or not. */
  readonly refusedRecipients = new Map<string, SmtpRefusal>();
  /** When set, each new connection is greeted with this instead of 220, and closed. */
  greeting?: SmtpRefusal;
  /** When set, a whole message is answered with this instead of 250, and not kept. */
  messageRefusal?: SmtpRefusal;
  /** The password a login must give (535 else); any login passes while unset. */
  password?: string;
  /**
   * When set, the next message's connection is cut without a reply: 'before the end' as the
   * message's first bytes arrive (the server has no message), 'after the end' once the whole
   * message arrived and was recorded as accepted (the server has it, the client never hears so).
   */
  dropNext?: 'before the end' | 'after the end';
  /** When set, the reply to DATA waits for it, after the message is recorded as accepted. */
  holdReply?: Promise<void>;

  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  static async start(): Promise<SmtpSink> {
    let sink!: SmtpSink;
    const server = new SMTPServer({
      // stop() cuts a client's open (pooled) connection at once: smtp-server's default waits 30 s for it to quit.
      closeTimeout: 50,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (sink.password !== undefined && auth.password !== sink.password) return callback(new Error('credentials invalid'));
        callback(null, { user: auth.username });
      },
      onConnect(_session, callback) {
        if (!sink.greeting) return callback();
        callback(Object.assign(new Error(sink.greeting.text), { responseCode: sink.greeting.code }));
      },
      onRcptTo(address, _session, callback) {
        const own = sink.refusedRecipients.get(address.address);
        if (!sink.refusing && !own) return callback();
        sink.refusals += 1;
        const { code, text } = own ?? sink.refusalsInTurn.shift() ?? sink.refusal;
        callback(Object.assign(new Error(text), { responseCode: code }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        const drop = sink.dropNext;
        sink.dropNext = undefined;
        if (drop === 'before the end') {
          stream.once('data', () => sink.cut(session.id));
          return;
        }
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (sink.messageRefusal) {
            const { code, text } = sink.messageRefusal;
            return callback(Object.assign(new Error(text), { responseCode: code }));
          }
          simpleParser(raw)
            .then(async (parsed) => {
              sink.received.push({ raw, parsed, rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address) });
              if (drop === 'after the end') return sink.cut(session.id);
              await sink.holdReply;
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sink = new SmtpSink(server, (server.server.address() as AddressInfo).port);
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Message-IDs received, in order (duplicates kept). */
  messageIds(): string[] {
    return this.received.map((mail) => mail.parsed.messageId ?? '');
  }

  /** Destroys the socket of session `id`, as a server that crashed or lost its network would. */
  private cut(id: string): void {
    const connections = (this.server as unknown as { connections: Set<{ id: string; _socket: Socket }> }).connections;
    for (const connection of connections) if (connection.id === id) connection._socket.destroy();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
