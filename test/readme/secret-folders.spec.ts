import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputWithin } from '../support/run-within';

const root = join(__dirname, '..', '..');

/**
 * Folders README's commands, run from the repository as printed, fill with secrets: git must not
 * offer to commit them.
 */
describe('README, folders of secrets in the repository', () => {
  it.each([
    ['npm run backup (Backup and restore)', /^npm run backup -- (\S+)/m, 'jwt-secret'],
    ['npm run witness (Shared witness)', /WITNESS_DATA_DIR=(\S+) npm run witness/, 'witness-signing-key'],
  ])('%s writes into a folder git ignores', (_command, pattern, secret) => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const folder = pattern.exec(readme)?.[1];
    expect(folder).toBeDefined();
    // Exit 0 and the path printed: ignored; exit 1: git would list the secret as untracked.
    const path = join(folder!, secret);
    const ignored = outputWithin(['git', 'check-ignore', '--no-index', path], { cwd: root, encoding: 'utf8' }, 20_000);
    expect(ignored.trim()).toBe(path);
  });
});
