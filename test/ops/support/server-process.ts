import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv } from '../../support/embedded-env';
import { shownCommand, WatchedChild } from '../../support/watched-child';

export const ROOT = join(__dirname, '..', '..', '..');

/** One line of the server's JSON log. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/**
 * The built server (or `npm start`) as an operator runs it: its own data folder, PORT 0 and the
 * port read from its startup log line; stdout and stderr kept for the test to read (apart, and
 * together as a WatchedChild's, whose bounded waits name it by its command).
 */
export class ServerProcess extends WatchedChild {
  stdout = '';
  stderr = '';
  private constructor(
    child: ChildProcess,
    name: string,
    /** The folder it made for itself, removed by dispose. */
    private readonly ownDataDir: string | undefined,
  ) {
    super(child, name);
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /**
   * `command` defaults to the built server; `npm start` runs in its own process group (detached), as a supervisor would.
   * A DATA_DIR in `env` (processes sharing a folder) is the caller's to remove; otherwise dispose removes the server's own.
   * `user` runs it as another user (the test runs as root), as a service account would.
   */
  static spawn(
    env: Record<string, string>,
    command: string[] = [process.execPath, join(ROOT, 'dist/src/main.js')],
    user: { uid: number; gid: number } | object = {},
  ): ServerProcess {
    const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ztkeys-process-'));
    const ownDataDir = env.DATA_DIR === undefined ? dataDir : undefined;
    const child = spawn(command[0], command.slice(1), {
      cwd: ROOT,
      env: embeddedEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, DATA_DIR: dataDir }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...user,
    });
    return new ServerProcess(child, shownCommand(command), ownDataDir);
  }

  /** Lines of stdout that start like JSON, parsed (a line that does not parse fails the test that reads it). */
  get logLines(): LogLine[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** Resolves with the server's URL once its startup line is logged. */
  async listening(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const started = this.logLines.find((line) => typeof line.port === 'number' && String(line.msg).includes('listening'));
      if (started) return `http://127.0.0.1:${String(started.port)}`;
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`server did not start:\n${this.stdout}\n${this.stderr}`);
  }

  /** Milliseconds from `signal` to the exit, or Infinity when it outlives `withinMs`. */
  async stopWith(signal: NodeJS.Signals, withinMs: number): Promise<number> {
    const sent = Date.now();
    this.child.kill(signal);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), withinMs).unref());
    return (await Promise.race([this.exited, timeout])) === 'timeout' ? Infinity : Date.now() - sent;
  }

  /** True while any process of the group (the command and its children) is alive. */
  groupAlive(): boolean {
    try {
      process.kill(-this.child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Kills whatever of the group is left and removes the data folder it made. */
  dispose(): void {
    if (this.groupAlive()) process.kill(-this.child.pid!, 'SIGKILL');
    if (this.ownDataDir) rmSync(this.ownDataDir, { recursive: true, force: true });
  }
}
