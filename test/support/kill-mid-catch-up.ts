import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

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
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KILL_MID_CATCH_UP_AT: String(stallAt) } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let reported = 0;
  let killed = false;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'caught-up') break;
    reported = Math.max(reported, Number(line.split(' ')[1]));
    if (BigInt(reported) * 3n >= head) {
      killed = child.kill('SIGKILL');
      break;
    }
  }
  if (!killed) child.kill('SIGTERM');
  const signal = await exited;
  if (!killed || signal !== 'SIGKILL') throw new Error(`the ${what} was not killed mid-catch-up (it caught up or died first): ${stderr}`);
  return reported;
}
