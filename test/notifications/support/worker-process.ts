import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { WatchedChild } from '../../support/watched-child';

const ROOT = join(__dirname, '..', '..', '..');

/** `npm run worker` as a child process (the build, as npm runs it: `npm test` builds before jest), with its own environment. */
export class WorkerProcess extends WatchedChild {
  /** Starts a worker and resolves once it says it is ready. */
  static async start(env: Record<string, string>): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'notifications', 'worker.main.js')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child, 'the email worker');
    await worker.untilSaid('email worker ready', 20_000);
    return worker;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
