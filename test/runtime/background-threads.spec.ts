/**
 * The embedded server's background threads (the projector, the transparency thread and its checks
 * of the log: every thread serveThread runs) run below the API's CPU priority, so that when the
 * cores are all busy the API's event loop runs first; the API's own thread keeps its priority.
 * Read from Linux's own account of each thread (/proc/<pid>/task/<tid>/stat), for real threads
 * started as the server starts them.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BACKGROUND_NICENESS } from '../../src/shared/background-priority';
import { SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { startOnThread } from '../../src/runtime/projector-thread';
import { openEventLog } from '../read-models/support/read-model-fixture';
import { tempDir } from '../read-models/support/stores';

const ROOT = join(__dirname, '..', '..');

/** Each thread of process `pid` by its id, with its nice value (field 19 of its stat line). */
function threadNiceness(pid: number | 'self'): Map<number, number> {
  const niceness = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // a thread that ended while listed
    }
    // After the command name in parentheses: state is field 3, nice field 19.
    niceness.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return niceness;
}

describe('background threads', () => {
  it('the projector thread runs below the API thread, which keeps its priority', async () => {
    const own = getPriority();
    const before = threadNiceness('self');
    const log = openEventLog();
    const dir = tempDir('background-threads');
    const readModelsPath = join(dir, 'read-models.sqlite');
    const store = new SqliteReadModelStore({ path: readModelsPath, eventLogPath: log.path });
    await store.init();
    const errors: unknown[] = [];
    const running = await startOnThread({ eventLogPath: log.path, readModelsPath })({
      onError: (error) => errors.push(error),
      onDiverged: () => undefined,
      onRebuilt: () => undefined,
    });
    try {
      const started = [...threadNiceness('self')].filter(([tid]) => !before.has(tid));
      // The thread's own, beside the threads Node starts with it at the process's priority.
      expect(started.filter(([, nice]) => nice === own + BACKGROUND_NICENESS)).toHaveLength(1);
      expect(threadNiceness('self').get(process.pid)).toBe(own);
      expect(errors).toEqual([]);
    } finally {
      await running.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      await log.cleanup();
    }
  });

  it('in a process already started below normal priority, a background thread goes lower still, to the lowest there is', async () => {
    // `nice -n 15`: the process at 15, its background thread at 19 (15 + 10, capped), not refused for asking 25.
    const thread = `require(${JSON.stringify(join(ROOT, 'dist/src/shared/background-priority.js'))}).runInBackground();
      require('node:worker_threads').parentPort.postMessage('lowered');`;
    const script = `new (require('node:worker_threads').Worker)(${JSON.stringify(thread)}, { eval: true })
        .once('message', () => console.log('lowered'))
        .once('error', (error) => console.log(String(error)));
      setInterval(() => {}, 1000);`;
    const child = spawn('nice', ['-n', '15', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      expect(await once(createInterface({ input: child.stdout }), 'line')).toEqual(['lowered']);
      const niceness = [...threadNiceness(child.pid as number).values()];
      expect(niceness.filter((nice) => nice === 19)).toHaveLength(1);
      expect(niceness.filter((nice) => nice !== 19).every((nice) => nice === 15)).toBe(true);
      expect(threadNiceness(child.pid as number).get(child.pid as number)).toBe(15);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
