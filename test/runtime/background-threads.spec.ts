/**
 * The embedded server's background work that nothing waits on (each check of the whole log, a
 * rebuilt model's index build) runs below the API's CPU priority, so that when the cores are all
 * busy the API's event loop runs first; the API's thread and the projector keep theirs. Read from
 * Linux's own account of each thread (/proc/<pid>/task/<tid>/stat), for real threads started as
 * the server starts them.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BACKGROUND_NICENESS } from '../../src/shared/background-priority';
import { SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { projectorLanes } from '../../src/runtime/projector-lanes';
import { startOnThread } from '../../src/runtime/projector-thread';
import { projectedModels } from '../../src/read-models/projected-models';
import type { SelfCheckThreadMessage } from '../../src/runtime/self-check-thread';
import { startThread } from '../../src/runtime/worker-thread';
import { execInWorker } from '../../src/read-models/sqlite/exec-in-worker';
import { openEventLog } from '../read-models/support/read-model-fixture';
import { tempDir } from '../read-models/support/stores';
import { WatchedChild } from '../support/watched-child';
import { withDeadline } from '../support/with-deadline';

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
  /** The threads started while `run` runs (sampled once it has started them), with their nice values. */
  const startedDuring = async (run: (sample: () => void) => Promise<void>): Promise<number[]> => {
    const before = threadNiceness('self');
    let started: number[] = [];
    await run(() => (started = [...threadNiceness('self')].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice)));
    return started;
  };

  it("a check of the whole log runs below the API thread's priority; the projector's threads (one a lane), whose lag reads wait on, and the API thread keep it", async () => {
    const own = getPriority();
    const log = openEventLog();
    const dir = tempDir('background-threads');
    const readModelsPath = join(dir, 'read-models.sqlite');
    const store = new SqliteReadModelStore({ path: readModelsPath, eventLogPath: log.path });
    await store.init();
    const errors: unknown[] = [];
    try {
      const projector = await startedDuring(async (sample) => {
        const running = await startOnThread({ eventLogPath: log.path, readModelsPath, lanes: projectorLanes(projectedModels(store).map(({ name }) => name), 2) })({
          onError: (error) => errors.push(error),
          onDiverged: () => undefined,
          onRebuilt: () => undefined,
          onStalled: () => undefined,
        });
        sample();
        await running.stop();
      });
      const check = await startedDuring(async (sample) => {
        // Started as checkLogOnThread starts it, held until sampled (that stops it at its report).
        const reported = new Promise<void>((resolve) => {
          const thread = startThread<SelfCheckThreadMessage>('self-check.worker', { eventLogPath: log.path, keyring: [] }, {
            onMessage: (message) => {
              if (message.kind === 'error') errors.push(message.error);
              sample();
              void thread.stop(10_000).then(resolve);
            },
            onError: (error) => errors.push(error),
          });
        });
        await withDeadline("the self-check thread's report", 30_000, reported, () => `errors so far: ${errors.map(String).join('; ') || 'none'}`);
      });
      expect(errors).toEqual([]);
      // Two lanes, two threads: each at the process's priority.
      expect(projector).toEqual([own, own]);
      // The check's own thread, beside the threads Node starts with it at the process's priority.
      expect(check.filter((nice) => nice !== own)).toEqual([own + BACKGROUND_NICENESS]);
      expect(threadNiceness('self').get(process.pid)).toBe(own);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      await log.cleanup();
    }
  });

  it("a rebuilt model's index build runs below the API thread's priority", async () => {
    const dir = tempDir('background-index-build');
    try {
      const seen = new Set<number>();
      let built = false;
      const before = threadNiceness('self');
      // A statement that runs about a second: the build's thread is sampled while it lives.
      // The worker opens a file that is there (a store's), never makes one.
      new Database(join(dir, 'models.sqlite')).close();
      const build = execInWorker(join(dir, 'models.sqlite'), ['CREATE TABLE counted AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000000) SELECT count(*) AS c FROM n']).finally(() => (built = true));
      await withDeadline(
        "the rebuilt model's index build (about a second's statement) to end",
        30_000,
        async (signal) => {
          while (!built) {
            signal.throwIfAborted();
            for (const [tid, nice] of threadNiceness('self')) if (!before.has(tid)) seen.add(nice);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        },
        () => `nice values of its threads seen: ${[...seen].join(', ') || 'none'}`,
      );
      await build;
      // The build's own thread, beside any Node starts with it at the process's priority.
      expect([...seen].filter((nice) => nice !== getPriority())).toEqual([getPriority() + BACKGROUND_NICENESS]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in a process already started below normal priority, a background thread goes lower still, to the lowest there is', async () => {
    // `nice -n 15`: the process at 15, its background thread at 19 (15 + 10, capped), not refused for asking 25.
    const thread = `require(${JSON.stringify(join(ROOT, 'dist/src/shared/background-priority.js'))}).runInBackground();
      require('node:worker_threads').parentPort.postMessage('lowered');
      setInterval(() => {}, 1000); // alive until the test has read its priority`;
    const script = `new (require('node:worker_threads').Worker)(${JSON.stringify(thread)}, { eval: true })
        .once('message', () => console.log('lowered'))
        .once('error', (error) => console.log(String(error)));
      setInterval(() => {}, 1000);`;
    const watched = new WatchedChild(spawn('nice', ['-n', '15', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }), '`nice -n 15 node -e <a worker thread going to the background>`');
    const { child } = watched;
    try {
      expect(await withDeadline(`${watched.name}'s first line ("lowered", or its thread's error)`, 20_000, once(createInterface({ input: child.stdout! }), 'line'), () => watched.describe())).toEqual(['lowered']);
      const niceness = [...threadNiceness(child.pid as number).values()];
      expect(niceness.filter((nice) => nice === 19)).toHaveLength(1);
      expect(niceness.filter((nice) => nice !== 19).every((nice) => nice === 15)).toBe(true);
      expect(threadNiceness(child.pid as number).get(child.pid as number)).toBe(15);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
