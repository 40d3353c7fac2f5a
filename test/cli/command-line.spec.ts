import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../../src/cli/command-line';
import { ALL_COMMANDS } from '../../src/cli/commands/all-commands';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { memoryIo } from './support/memory-io';

describe('command line', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-cli-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const run = async (...argv: string[]) => {
    const io = memoryIo({ ZTKEYS_HOME: home });
    const code = await runCli(argv, io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };

  it.each([
    [[], /Missing command/],
    [['bogus'], /Unknown command "bogus"/],
    [['keys'], /"keys" needs a subcommand/],
    [['keys', 'bless', 'r1'], /Unknown command "keys bless"/],
    [['keys', 'approve'], /Missing <requestId>/],
    [['keys', 'approve', 'r1', 'r2'], /Unexpected argument "r2"/],
    [['keys', 'approve', 'r1', '--cod', '1'], /Unknown option '--cod'/],
    [['keys', 'revoke', 'bob'], /Missing --reason <text>/],
    [['prompt-frequency', 'set', 'HOURLY', '--browser', 'b'], /must be one of EVERY_TASK, DAILY, WEEKLY, not "HOURLY"/],
    [['agents', 'role', 'bob', 'KING'], /must be one of MEMBER, ADMIN, SUPER_ADMIN, AUDITOR/],
    [['status', '--passphrase-fd', 'three'], /takes a non-negative integer/],
    [['status', '--profile', '../evil'], /Profile name "..\/evil" is not valid/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const { code, stdout, stderr } = await run(...(argv as string[]));
    expect(code).toBe(EXIT.USAGE);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('is a usage error to run a command before logging in', async () => {
    const { code, stderr } = await run('keys', 'pending');
    expect(code).toBe(EXIT.USAGE);
    expect(stderr).toMatch(/Not logged in \(profile "default"\): run "ztkeys login --api <url>" first/);
  });

  it('reports errors as JSON on stderr with --json', async () => {
    const { code, stdout, stderr } = await run('status', '--json');
    expect(code).toBe(EXIT.USAGE);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toEqual({ error: { exitCode: EXIT.USAGE, message: expect.stringMatching(/^Not logged in/) } });
  });

  it.each([[['--help']], [['help']], [['keys', '--help']], [['help', 'keys', 'approve']], [['keys', 'approve', '-h']]])(
    '%j prints help on stdout and exits 0',
    async (argv) => {
      const { code, stdout } = await run(...argv);
      expect(code).toBe(EXIT.OK);
      expect(stdout).toMatch(/Usage: ztkeys /);
    },
  );

  it('lists every command and every exit code in the general help', async () => {
    const { stdout } = await run('--help');
    for (const command of ALL_COMMANDS) expect(stdout).toContain(command.path.join(' '));
    for (const code of Object.values(EXIT)) expect(stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    // The meanings README's table gives: 6 and 7 are audit verdicts, a refused token is 8.
    expect(stdout).toMatch(/^ {2}6 +"audit verify": the audit log is invalid or tampered/m);
    expect(stdout).toMatch(/^ {2}7 +forked/m);
    expect(stdout).toMatch(/^ {2}8 +the agent token expired/m);
  });

  it('takes global options anywhere, skips option values when finding the command, and upper-cases choices', () => {
    const parsed = parseCommandLine(
      ['--profile', 'bob', 'prompt-frequency', '--browser', 'set', 'set', 'daily', '--json', '--passphrase-fd', '3'],
      ALL_COMMANDS,
      {},
    );
    expect(parsed).toMatchObject({
      kind: 'run',
      command: { path: ['prompt-frequency', 'set'] },
      input: { args: { frequency: 'DAILY' }, strings: { browser: 'set' } },
      globals: { profile: 'bob', json: true, passphrase: { fd: 3 } },
    });
  });

  it('takes the profile from ZTKEYS_PROFILE when --profile is not given', () => {
    expect(parseCommandLine(['status'], ALL_COMMANDS, { ZTKEYS_PROFILE: 'carol' })).toMatchObject({ globals: { profile: 'carol', json: false } });
  });
});
