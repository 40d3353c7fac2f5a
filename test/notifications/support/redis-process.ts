import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WatchedChild } from '../../support/watched-child';

/**
 * A redis-server of the test's own, on a free loopback port, with append-only persistence in
 * a temp folder as production runs it. The shared Redis on 6379 is left alone.
 */
export class RedisProcess {
  private child?: WatchedChild;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort(), mkdtempSync(join(tmpdir(), 'ztkeys-redis-')));
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and folder: it reloads its append-only file. */
  async resume(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', this.dir, '--save', ''],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = new WatchedChild(child, `redis-server on port ${this.port}`);
    await this.child.untilSaid('Ready to accept connections', 15_000);
  }

  /** SIGTERM: Redis flushes its append-only file and exits, as on a planned stop. */
  async stop(): Promise<void> {
    const redis = this.child;
    if (!redis) return;
    this.child = undefined;
    redis.child.kill('SIGTERM');
    await redis.exitWithin(15_000);
  }

  /** Stops, then starts again without its append-only file: a Redis that lost its data. */
  async restartEmpty(): Promise<void> {
    await this.stop();
    for (const entry of readdirSync(this.dir)) rmSync(join(this.dir, entry), { recursive: true, force: true });
    await this.resume();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
