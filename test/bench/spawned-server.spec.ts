import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSpawnedServer } from '../../bench/support/spawned-server';

const BUILT_SERVER = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/**
 * The benches' server in a process of its own (the cluster, first-checkpoint and growth benches):
 * it starts on a folder of its own as an operator's would, its stdout kept apart from DATA_DIR,
 * which the server refuses to take over when it holds a file ztkeys did not make.
 */
describe("the benches' spawned server", () => {
  it('starts on a fresh data folder, answers, and leaves nothing behind once stopped', async () => {
    const server = await startSpawnedServer({ script: BUILT_SERVER });
    try {
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      expect(readdirSync(server.dataDir).filter((name) => name.endsWith('.log'))).toEqual([]);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
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
