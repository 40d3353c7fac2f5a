import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSpawnedServer } from '../../bench/support/spawned-server';

const BUILT_SERVER = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/**
 * The benches' server in a process of its own (the cluster, first-checkpoint and growth benches):
 * it starts on a folder of its own as an operator's would, its stdout kept apart from DATA_DIR,
 * which the server refuses to take over when it holds a file ztkeys did not make.
 */
describe("the benches' spawned server", () => {
  /** What this process holds open of the spawned servers' stdout files. */
  const heldLogs = () =>
    readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return ''; // the descriptor readdir itself used, closed since
        }
      })
      .filter((target) => target.includes('ztkeys-bench-stdout-'));

  it('starts on a fresh data folder, answers, and leaves nothing behind once stopped, nor holds its stdout open', async () => {
    const server = await startSpawnedServer({ script: BUILT_SERVER });
    try {
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      expect(readdirSync(server.dataDir).filter((name) => name.endsWith('.log'))).toEqual([]);
      expect(heldLogs()).toEqual([]);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
    expect(heldLogs()).toEqual([]);
  });

  it("starts whatever LOG_LEVEL the shell running the benches exports: it is told to listen by the server's own line, logged at info", async () => {
    const shellLevel = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      const server = await startSpawnedServer({ script: BUILT_SERVER });
      try {
        expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      } finally {
        await server.stop();
      }
    } finally {
      if (shellLevel === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = shellLevel;
    }
  });

  it('fails, naming what it printed, when it never says it listens, and stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztkeys-silent-server-'));
    const script = join(dir, 'silent.js');
    writeFileSync(script, "console.log('starting'); setInterval(() => {}, 1000);\n");
    try {
      await expect(startSpawnedServer({ script, listeningWithinMs: 500 })).rejects.toThrow(/did not log that 1 process\(es\) listen within 0.5 s; its output ends: starting/);
      // pgrep exits 1 when no process runs it.
      expect(spawnSync('pgrep', ['-f', script]).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs on the cores it is given, its pid the server itself (taskset execs it)', async () => {
    const server = await startSpawnedServer({ script: BUILT_SERVER, cpus: '0' });
    try {
      expect(readFileSync(`/proc/${server.pid}/status`, 'utf8')).toMatch(/^Cpus_allowed_list:\s*0$/m);
      expect(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0')).toEqual([process.execPath, BUILT_SERVER, '']);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
