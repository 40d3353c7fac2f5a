import { FAILED_EMAILS_OPTIONS, failedEmailsCommand } from '../../src/notifications/failed-emails-command';
import { readToolLine, ToolUsageError } from '../../src/shared/tool-command-line';

const command = (args: string[]) => {
  const line = readToolLine(args, FAILED_EMAILS_OPTIONS);
  return line === 'help' ? line : failedEmailsCommand(line);
};

/** `npm run emails` reads its arguments as the ztkeys CLI does: an option that takes one value, given twice, is a usage error. */
describe('npm run emails arguments', () => {
  it.each([
    [['failed', '--limit', '5', '--limit', '500']],
    [['failed', '--after', 'a', '--after=b']],
  ])('%j: an option given twice is a usage error naming it (parseArgs would keep the last value silently)', (args) => {
    expect(() => command(args)).toThrow(new ToolUsageError(`--${args[1].slice(2)} is given more than once: it takes one value.`));
  });

  it('a flag given twice says it once', () => {
    expect(command(['retry', '--all', '--all', '--json', '--json'])).toEqual({ action: 'retry', which: 'all', json: true });
  });
});
