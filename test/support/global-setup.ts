import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { dropShellConfiguration } from './shell-configuration';

/**
 * Before any test: check the servers the suite needs and start those that are down
 * (.ci/services.sh). FerretDB stands in for MongoDB; its URL reaches the tests as MONGODB_URL
 * unless one was given. Temporary folders go to a RAM disk where the machine has one (unless
 * TMPDIR says where): the suite starts hundreds of servers whose embedded stores fsync every
 * commit, and on disk those waits took up to a third of a suite's time. No test judges what
 * survives a power cut; the crash tests kill processes, which fsync has no part in. The ztkeys
 * settings the shell exports are left out (./shell-configuration.ts), so that every test runs the
 * configuration it sets.
 */
export default function globalSetup(): void {
  const dropped = dropShellConfiguration(process.env);
  if (dropped.length > 0) console.error(`\nThe tests leave out what your shell sets for ztkeys: ${dropped.join(', ')}`);
  if (!process.env.TMPDIR && writable('/dev/shm')) process.env.TMPDIR = '/dev/shm';
  const output = execFileSync('bash', [join(__dirname, '..', '..', '.ci', 'services.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60 * 1000,
  });
  const url = /mongodb:\/\/\S+/.exec(output)?.[0];
  if (url && !process.env.MONGODB_URL) process.env.MONGODB_URL = url;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
