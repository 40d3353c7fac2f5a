/**
 * `npm run backup -- DIR`: a consistent copy of the embedded data folder (DATA_DIR) while ztkeys
 * runs. Restore: stop ztkeys, replace DATA_DIR with DIR's content, start; the read models and the
 * notifier catch up with the restored log. Stores on servers (KurrentDB, MongoDB, Redis) are
 * backed up with their own tools (README).
 */
import { loadConfig } from '../config/app-config';
import { checkServerDataDir } from '../config/data-dir';
import { missingEventLog } from '../event-store/open-event-store';
import { ProgressReporter } from '../shared/progress-reporter';
import { toolCommand, ToolUsageError } from '../shared/tool-command-line';
import { backupDataDir } from './backup-data-dir';

const USAGE = 'usage: npm run backup -- <empty or new folder, outside DATA_DIR>';

/** The one folder to back up into. */
function backupFolder({ positionals }: { positionals: string[] }): string {
  if (positionals.length !== 1) throw new ToolUsageError(positionals.length === 0 ? 'no folder given' : `one folder, not ${positionals.length}`);
  // A name that reads as an option (given after `--`) would become a folder named so.
  if (positionals[0].startsWith('-')) throw new ToolUsageError(`${JSON.stringify(positionals[0])} is no folder name: it reads as an option`);
  return positionals[0];
}

function main(args: string[]): number {
  const line = toolCommand(args, USAGE, {}, backupFolder);
  if ('exit' in line) return line.exit;
  const target = line.command;
  const config = loadConfig();
  // As the server's start checks it: a FIFO among the secrets held the copy, a folder at a store's name ended it in a disk I/O error.
  checkServerDataDir(config.dataDir);
  const missing = missingEventLog(config);
  if (missing) {
    process.stderr.write(`backup failed: ${missing}\n`);
    return 1;
  }
  const servers = [config.eventStoreUrl && 'EVENTSTORE_URL', config.mongodbUrl && 'MONGODB_URL', config.redisUrl && 'REDIS_URL'].filter(Boolean);
  if (servers.length > 0) process.stderr.write(`not copied (back them up with their own tools): ${servers.join(', ')}\n`);
  const started = Date.now();
  let progress: ProgressReporter | undefined;
  const result = backupDataDir(config.dataDir, target, (done, total) => {
    // Each store is one VACUUM INTO: the line moves store by store, so show every step.
    if (progress) progress.update(done);
    else progress = new ProgressReporter(process.stdout, 'backup', { total, unit: 'bytes', lineEveryMs: 0 });
  });
  progress?.finish();
  process.stdout.write(
    `backed up ${result.stores.join(', ') || 'no store'} and ${result.files.length} other file(s) of ${config.dataDir} into ${target} in ${Date.now() - started} ms\n`,
  );
  return 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
