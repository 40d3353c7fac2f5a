import { spawnSync, type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns } from 'node:child_process';
import { lastLines, shownCommand } from './watched-child';
import { missedDeadline } from './with-deadline';

/**
 * A run of `words` to its end (spawnSync), or once `ms` pass an error naming the command with its
 * last lines, and it is killed: a tool that hangs fails on its own, before jest's bound, and says
 * which. A spawnSync timeout alone leaves a status of null for the test's assertion to puzzle over.
 */
export function runWithin(words: readonly string[], options: SpawnSyncOptionsWithStringEncoding, ms: number): SpawnSyncReturns<string> {
  const run = spawnSync(words[0], words.slice(1), { ...options, timeout: ms, killSignal: 'SIGKILL' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw missedDeadline(`${shownCommand(words)} to end`, ms, `it was killed; its stdout's last lines:\n${lastLines(run.stdout ?? '')}\nits stderr's:\n${lastLines(run.stderr ?? '')}`);
  }
  return run;
}

/** Its stdout once it exited 0, as execFileSync gives it (another exit is an error with its stderr), bounded as runWithin. */
export function outputWithin(words: readonly string[], options: SpawnSyncOptionsWithStringEncoding, ms: number): string {
  const run = runWithin(words, options, ms);
  if (run.status !== 0) throw new Error(`${shownCommand(words)} ${run.error ? `failed (${run.error.message})` : `exited (code ${run.status}, signal ${run.signal})`}; its stderr's last lines:\n${lastLines(run.stderr ?? '')}`);
  return run.stdout;
}
