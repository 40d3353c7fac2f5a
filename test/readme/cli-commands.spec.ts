import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_COMMANDS } from '../../src/cli/commands/all-commands';

/** README's list of the CLI's commands ("Commands are `<group> <verb>`: ..."): every command of ztkeys, and no other. */
describe('README, the commands of ztkeys', () => {
  it('names exactly the commands of src/cli/commands/all-commands.ts', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('Commands are `<group> <verb>`:');
    expect(start).toBeGreaterThan(0);
    const sentence = readme.slice(start, readme.indexOf('`ztkeys --version` prints the version', start));
    // `keys create|pending` stands for `keys create` and `keys pending`; a parenthesis is a note, not the list.
    const named = [...sentence.replace(/\([^)]*\)/g, '').matchAll(/`([a-z-]+(?: [a-z|-]+)?)`/g)].flatMap(([, item]) => {
      const [group, verbs] = item.split(' ');
      return verbs ? verbs.split('|').map((verb) => `${group} ${verb}`) : [group];
    });
    expect(named.sort()).toEqual(ALL_COMMANDS.map((command) => command.path.join(' ')).sort());
  });
});
