import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WatchedChild } from '../../support/watched-child';

export const ROOT = join(__dirname, '..', '..', '..');
export const WITNESS_MAIN = join(ROOT, 'dist/src/witness/witness.main.js');

/** One pino line of the witness: its level (30 info, 40 warn, 50 error, 60 fatal), message and fields. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** The built witness (`npm run witness`) as an operator runs it: WITNESS_PORT 0, the URL and key read from its start line. */
export class WitnessProcess {
  stdout = '';
  stderr = '';
  /** Its exit code. */
  readonly exited: Promise<number | null>;
  /** For the bounded waits: their messages name it, say whether it runs, and show its last lines. */
  private readonly watched: WatchedChild;
  private constructor(readonly child: ChildProcess) {
    this.watched = new WatchedChild(child, 'the witness');
    this.exited = this.watched.exited.then(({ code }) => code);
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static spawn(env: Record<string, string>, args: string[] = []): WitnessProcess {
    const child = spawn(process.execPath, [WITNESS_MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, WITNESS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WitnessProcess(child);
  }

  /** Its log: every line of stdout is a pino JSON line (JSON.parse throws on any other). */
  lines(): LogLine[] {
    return this.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** Its URL and verifier key, once it listens. */
  async listening(timeoutMs = 15_000): Promise<{ url: string; vkey: string }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const started = this.stdout.endsWith('\n') ? this.lines().find((line) => typeof line.url === 'string') : undefined;
      if (started) return { url: started.url as string, vkey: started.vkey as string };
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`witness did not start:\n${this.stdout}\n${this.stderr}`);
  }

  /** Its exit code, or an error once `ms` pass. */
  async exitCodeWithin(ms: number): Promise<number | null> {
    return (await this.watched.exitWithin(ms)).code;
  }

  /** SIGTERM, as on a planned stop; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.watched.exitWithin(15_000);
  }
}
