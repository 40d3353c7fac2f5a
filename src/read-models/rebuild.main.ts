/**
 * `node dist/src/read-models/rebuild.main.js <read-model>...` (npm run projections:rebuild -- <name>...):
 * rebuilds read models from the event log, one reader feeding them all, while the API keeps
 * serving the old ones, then switches. Same configuration as the app: DATA_DIR, EVENTSTORE_URL, MONGODB_URL.
 */
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../config/app-config';
import { checkServerDataDir, storageFaultAtStart } from '../config/data-dir';
import { missingEventLog, openEventStore } from '../event-store/open-event-store';
import { PROJECTIONS } from '../../projections/projections';
import { READ_MODEL_NAMES, type ReadModelName } from '../../projections/projection';
import { openReadModelStore } from './open-read-model-store';
import { refuseNewerProjections } from './projection-versions';
import { REBUILD_LOCK } from './rebuild-lock';
import { rebuildReadModels } from './rebuild-read-models';
import { OWN_LOOP_BATCHES } from './projection-runner';
import { ProgressReporter } from '../shared/progress-reporter';
import { refuseNewerDataDir } from '../shared/data-format';
import { takePidLock } from '../shared/pid-lock';
import { toolCommand, ToolUsageError } from '../shared/tool-command-line';

const USAGE = `usage: npm run projections:rebuild -- <${READ_MODEL_NAMES.join('|')}>...`;

/** The read models named, each once. */
function readModelsNamed({ positionals }: { positionals: string[] }): string[] {
  if (positionals.length === 0) throw new ToolUsageError('no read model named');
  const unknown = positionals.find((name) => !(READ_MODEL_NAMES as readonly string[]).includes(name));
  if (unknown !== undefined) throw new ToolUsageError(`no read model ${JSON.stringify(unknown)}`);
  return [...new Set(positionals)];
}

async function main(args: string[]): Promise<number> {
  const line = toolCommand(args, USAGE, {}, readModelsNamed);
  if ('exit' in line) return line.exit;
  const names = line.command;
  const config = loadConfig();
  // As the server's start checks it: a FIFO at a store's name held the rebuild for ever, a folder there ended it in EISDIR.
  checkServerDataDir(config.dataDir);
  const missing = missingEventLog(config);
  if (missing) throw new Error(missing);
  refuseNewerDataDir(config.dataDir);
  let release = (): void => undefined;
  try {
    // One at a time: each drops the generations no rebuild made active, the other's half-built one among them.
    const lock = takePidLock(join(config.dataDir, REBUILD_LOCK));
    if ('heldBy' in lock) throw new Error(`another rebuild (pid ${lock.heldBy}) is running on DATA_DIR ${config.dataDir}: let it finish, then run again if you still need to`);
    release = lock.release;
    return await rebuild(config, names);
  } catch (error) {
    // A full disk is one line naming DATA_DIR, as the server says it, not SQLite's "disk I/O error" (nor the lock's ENOSPC).
    throw storageFaultAtStart(error, config.dataDir) ?? error;
  } finally {
    release();
  }
}

async function rebuild(config: AppConfig, names: string[]): Promise<number> {
  const events = await openEventStore(config);
  const readModels = openReadModelStore(config);
  try {
    await readModels.init();
    for (const name of names.filter((n) => readModels.servedFromLog.has(n as ReadModelName))) {
      process.stdout.write(`${name}: answered from the event log itself, nothing to rebuild\n`);
    }
    const rebuilt = names.filter((name) => !readModels.servedFromLog.has(name as ReadModelName));
    if (rebuilt.length === 0) return 0;
    // A model a newer release's projection built would be rebuilt backwards with this release's.
    await refuseNewerProjections(readModels, rebuilt.map((name) => PROJECTIONS[name as ReadModelName]));
    const started = Date.now();
    let applied = 0;
    // Progress in log positions up to the head as it was at the start (events go on coming in).
    const progress = new ProgressReporter(process.stdout, rebuilt.join(', '), { total: Number((await events.headPosition()) ?? 0n), unit: 'positions' });
    const results = await rebuildReadModels(
      events,
      readModels,
      rebuilt.map((name) => PROJECTIONS[name as ReadModelName]),
      {
        graceMs: config.rebuildGraceMs,
        // A process of its own: no requests wait for its batches.
        ...OWN_LOOP_BATCHES,
        onProgress: (position, count) => {
          applied += count;
          progress.update(Number(position));
        },
        onSwitched: (model, generation, previous) => {
          if (model === rebuilt[0]) progress.finish();
          process.stdout.write(`${model}: generation ${generation} is active; generation ${previous} is dropped in ${Math.round(config.rebuildGraceMs / 1000)} s (queries still on it finish)\n`);
        },
      },
    );
    const seconds = (Date.now() - started) / 1000;
    for (const result of results) {
      process.stdout.write(
        `${result.model}: rebuilt generation ${result.generation} from ${applied} events up to position ${result.position ?? 'none'} in ${seconds.toFixed(1)} s; ` +
          `generation ${result.previous} dropped\n`,
      );
    }
    return 0;
  } finally {
    await readModels.close();
    await events.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
