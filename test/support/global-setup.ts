import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Before any test: check the servers the suite needs and start those that are down
 * (.ci/services.sh). FerretDB stands in for MongoDB; its URL reaches the tests as MONGODB_URL
 * unless one was given.
 */
export default function globalSetup(): void {
  const output = execFileSync('bash', [join(__dirname, '..', '..', '.ci', 'services.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60 * 1000,
  });
  const url = /mongodb:\/\/\S+/.exec(output)?.[0];
  if (url && !process.env.MONGODB_URL) process.env.MONGODB_URL = url;
}
