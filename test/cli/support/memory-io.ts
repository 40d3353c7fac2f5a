import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../../../src/cli/cli-io';

/** Collects what a run writes. */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/** In-process I/O for runCli: env of its own, piped (non-TTY) stdin with the given text. */
export function memoryIo(env: Record<string, string | undefined>, stdinText = ''): CliIo & { stdout: Collector; stderr: Collector } {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  return { env, stdin, stdout: new Collector(), stderr: new Collector() };
}
