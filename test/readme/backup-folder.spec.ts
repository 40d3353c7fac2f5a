import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** README's backup command, run from the repository as printed, copies the secrets into it: git must not offer to commit them. */
describe('README, Backup and restore', () => {
  it('backs up into a folder of the repository that git ignores', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const folder = /^npm run backup -- (\S+)/m.exec(readme)?.[1];
    expect(folder).toBeDefined();
    // Exit 0 and the path printed: ignored; exit 1: git would list the backup, secrets and all, as untracked.
    const ignored = execFileSync('git', ['check-ignore', '--no-index', `${folder}/jwt-secret`], { cwd: root, encoding: 'utf8' });
    expect(ignored.trim()).toBe(`${folder}/jwt-secret`);
  });
});
