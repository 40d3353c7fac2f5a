import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * The email benches' SMTP sink, forked in its own process so it does not share the sender's
 * event loop. It accepts every message without parsing it and tells its parent, over IPC, its
 * port, then the wall-clock time (ms, sub-ms precision) at which the n-th message of a run was
 * accepted: the end of every email rate.
 *
 * Parent → sink: `{ expect: n }` starts a run. Sink → parent: `{ port }`, then `{ accepted: n, at }`.
 */
const now = (): number => performance.timeOrigin + performance.now();

let expected = 0;
let accepted = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  onData(stream, _session, callback) {
    stream.on('end', () => {
      accepted += 1;
      if (accepted === expected) process.send!({ accepted, at: now() });
      callback();
    });
    stream.resume();
  },
});

process.on('message', (message: { expect: number }) => {
  expected = message.expect;
  accepted = 0;
});
process.on('disconnect', () => server.close(() => process.exit(0)));

server.listen(0, '127.0.0.1', () => process.send!({ port: (server.server.address() as AddressInfo).port }));
