import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { WatchedChild } from '../../support/watched-child';
import { withDeadline } from '../../support/with-deadline';

const ROOT = join(__dirname, '..', '..', '..');

/** `npm run worker` as a child process (the build, as npm runs it: `npm test` builds before jest), with its own environment. */
export class WorkerProcess extends WatchedChild {
  /** Its EMAIL_WORKER_METRICS_PORT, when given one. */
  private probesPort?: string;

  /** Starts a worker and resolves once it says it is ready. */
  static async start(env: Record<string, string>): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'notifications', 'worker.main.js')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child, 'the email worker');
    worker.probesPort = env.EMAIL_WORKER_METRICS_PORT;
    await worker.untilSaid('email worker ready', 20_000);
    return worker;
  }

  /** GET on its probes port, bounded: an answer that does not come fails naming the path, with the worker's last lines. */
  probe(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: string }> {
    return withDeadline(
      `the worker's answer to GET ${path}`,
      10_000,
      async (signal) => {
        const response = await fetch(`http://127.0.0.1:${this.probesPort}${path}`, { headers, signal });
        return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
      },
      () => this.describe(),
    );
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
