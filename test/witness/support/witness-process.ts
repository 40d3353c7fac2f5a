import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const WITNESS_MAIN = join(ROOT, 'dist/src/witness/witness.main.js');

/** The built witness (`npm run witness`) as an operator runs it: WITNESS_PORT 0, the URL and key read from its start lines. */
export class WitnessProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
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

  /** Its URL and verifier key, once it listens. */
  async listening(timeoutMs = 15_000): Promise<{ url: string; vkey: string }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const url = /listening on (http:\/\/\S+),/.exec(this.stdout)?.[1];
      const vkey = /verifier key (\S+)/.exec(this.stdout)?.[1];
      if (url && vkey) return { url, vkey };
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`witness did not start:\n${this.stdout}\n${this.stderr}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
