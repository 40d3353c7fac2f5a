import type { ChildProcess } from 'node:child_process';
import { join, relative } from 'node:path';
import { withDeadline } from './with-deadline';

const ROOT = join(__dirname, '..', '..');

/** A command as the messages show it: `node dist/src/main.js`, not two absolute paths. */
export function shownCommand(words: readonly string[]): string {
  return `\`${words.map((word) => (word === process.execPath ? 'node' : word.startsWith(`${ROOT}/`) ? relative(ROOT, word) : word)).join(' ')}\``;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A spawned child's stdout and stderr as they come, and its exit. Waits on them are bounded and,
 * when they time out, say what the child is, whether it runs, and its last lines.
 */
export class WatchedChild {
  output = '';
  readonly exited: Promise<ChildExit>;
  /** Its exit once its output is all read ('close'): what a run to its end waits for. */
  readonly closed: Promise<ChildExit>;
  private exit?: ChildExit;

  constructor(
    readonly child: ChildProcess,
    /** What it is, for the messages: `redis-server on port 40123`. */
    readonly name: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((this.exit = { code, signal }))));
    this.closed = new Promise((resolve) => child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })));
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** Resolves once its output holds `text` (its ready line); rejects if it exits first, or once `ms` pass, and then kills it. */
  async untilSaid(text: string, ms: number): Promise<void> {
    let listen!: () => void;
    const heard = new Promise<void>((resolve, reject) => {
      listen = () => this.output.includes(text) && resolve();
      this.child.stdout?.on('data', listen);
      this.child.stderr?.on('data', listen);
      listen();
      void this.exited.then(() => reject(new Error(`${this.name} exited before it said "${text}": ${this.describe()}`)));
    });
    try {
      await withDeadline(`${this.name} to say "${text}"`, ms, heard, () => this.describe());
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      this.child.stdout?.off('data', listen);
      this.child.stderr?.off('data', listen);
    }
  }

  /** Its exit, or an error once `ms` pass. */
  exitWithin(ms: number): Promise<ChildExit> {
    return withDeadline(`${this.name} to exit`, ms, this.exited, () => this.describe());
  }

  /**
   * Its end, its output all read, or once `ms` pass an error saying what it was at (`waitedFor`:
   * the prompt it was to show), and it is killed.
   */
  async endWithin(ms: number, waitedFor?: () => string): Promise<ChildExit> {
    try {
      return await withDeadline(`${this.name} to end`, ms, this.closed, () => `${waitedFor ? `it waited for ${waitedFor()}; ` : ''}${this.describe()}`);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** SIGKILL, unless it has exited; resolves once it has. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exitWithin(10_000);
  }

  /** Whether and how it ended, and its last lines of output. */
  describe(lines = 15): string {
    const state = this.exit ? `exited (code ${this.exit.code}, signal ${this.exit.signal})` : 'still running';
    return `${this.name} (pid ${this.child.pid}) ${state}; its last lines:\n${lastLines(this.output, lines)}`;
  }
}

/** The last `lines` of a child's output, for a message. */
export function lastLines(output: string, lines = 15): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n') || '(none)';
}
