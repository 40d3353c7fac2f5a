import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WatchedChild } from './watched-child';
import { withDeadline } from './with-deadline';

const ROOT = join(__dirname, '..', '..');

/**
 * Runs a child that follows the log and prints `<name> <position>` as it stores its progress
 * (and `caught-up` at the head), SIGKILLs it once a third of the log is reported, and returns the
 * highest position it had reported. Throws when the kill did not land mid-catch-up.
 */
export async function killMidCatchUp(args: string[], head: bigint, what: string): Promise<number> {
  // A child may wait for the kill from the third it reports (KILL_MID_CATCH_UP_AT) on: one faster than
  // this process reads its lines would otherwise reach the head before the kill lands.
  const stallAt = (head + 2n) / 3n;
  const child = new WatchedChild(
    spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KILL_MID_CATCH_UP_AT: String(stallAt) } }),
    `the ${what}`,
  );
  let reported = 0;
  let killed = false;
  try {
    const lines = createInterface({ input: child.child.stdout! })[Symbol.asyncIterator]();
    // Each line has a deadline of its own, not the catch-up as a whole: a slow store (FerretDB) only
    // spaces the lines out, a child that hangs stops them.
    for (;;) {
      const next = await withDeadline(`the ${what}'s next line of progress (it had reported ${reported}; it is killed once it reports ${stallAt} of ${head})`, 30_000, lines.next(), () => child.describe());
      if (next.done || next.value === 'caught-up') break;
      reported = Math.max(reported, Number(next.value.split(' ')[1]));
      if (BigInt(reported) * 3n >= head) {
        killed = child.child.kill('SIGKILL');
        break;
      }
    }
    if (!killed) child.child.kill('SIGTERM');
    const { signal } = await child.exitWithin(15_000);
    if (!killed || signal !== 'SIGKILL') throw new Error(`the ${what} was not killed mid-catch-up (it caught up or died first): ${child.describe()}`);
    return reported;
  } finally {
    // Whatever failed above, no child is left running.
    await child.stop();
  }
}
