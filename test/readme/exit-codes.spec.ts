import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';

/** README's table of the CLI's exit codes: every code ztkeys exits with, and no other. */
describe('README, exit codes of ztkeys', () => {
  it('lists exactly the codes of src/cli/exit-codes.ts', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| exit code | meaning |'));
    const codes = [...table.slice(0, table.search(/\n[^|]/)).matchAll(/^\| (\d+) \|/gm)].map(([, code]) => Number(code));
    expect(codes).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});
