import type { Readable, Writable } from 'node:stream';

/** A terminal input: process.stdin when it is a TTY. */
export type TerminalInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** What a run of the CLI talks to; process's by default, streams of their own in tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdin: TerminalInput;
  stdout: Writable;
  stderr: Writable;
}

export const processIo = (): CliIo => ({
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
