import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverEmailQueue } from '../notifications/support/server-email-queue';
import { withDeadline } from '../support/with-deadline';
import { ROOT } from './support/server-process';

/**
 * `npm run worker | head -1`, or a log shipper gone: its stdout's reader closed. On SIGTERM it
 * logged "stopping" into the closed pipe and never exited (pino's flush at exit retried the
 * broken pipe for ever), so a service manager had to kill it.
 */
describe('npm run worker whose stdout is closed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-worker-stdout-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('still stops on SIGTERM with exit code 0', async () => {
    await serverEmailQueue(dir);
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/notifications/worker.main.js')], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir, REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`${code ?? signal}`)));
    try {
      // As `| head -1` does: the first line read ("ready"), then the pipe closed.
      const first = await withDeadline('the worker to say it is ready', 20_000, new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      expect(first).toContain('email worker ready');
      child.stdout!.destroy();
      child.kill('SIGTERM');
      expect({ exit: await withDeadline('the worker to exit after SIGTERM', 10_000, exited), stderr }).toEqual({ exit: '0', stderr: '' });
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});
