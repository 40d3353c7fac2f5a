import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOBAL_OPTIONS, parseCommandLine } from '../../src/cli/command-line';
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

  // Which key, checkpoint, org or limit a command uses must be the one the line shows: a script that
  // appends an option to a line built elsewhere would otherwise change it silently (last one wins).
  const singleValued = ALL_COMMANDS.flatMap((command) =>
    Object.entries({ ...GLOBAL_OPTIONS, ...command.options })
      .filter(([, spec]) => spec.type === 'string' && spec.multiple !== true)
      .map(([name]) => [command.path.join(' '), name] as const),
  );
  it.each(singleValued)('%s: --%s given twice is a usage error (exit 2) naming it', async (path, name) => {
    const command = ALL_COMMANDS.find((candidate) => candidate.path.join(' ') === path)!;
    const args = (command.args ?? []).map((arg) => arg.choices?.[0] ?? 'x');
    const { code, stdout, stderr } = await run(...command.path, ...args, `--${name}`, '1', `--${name}=2`);
    expect(code).toBe(EXIT.USAGE);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(`ztkeys: --${name} is given more than once: it takes one value.`);
  });

  it('takes a repeatable option (--witness-key) and a flag (--json) given twice', () => {
    const parsed = parseCommandLine(['audit', 'verify', 'f', '--log-key', 'k', '--witness-key', 'a', '--json', '--witness-key=b', '--json'], ALL_COMMANDS, {});
    expect(parsed).toMatchObject({ kind: 'run', input: { strings: { 'witness-key': 'a\nb', 'log-key': 'k' } }, globals: { json: true } });
  });

  it('reads an option after "--" as an argument, not as the option given twice', () => {
    const parsed = parseCommandLine(['profile', 'use', '--profile', 'a', '--', '--profile'], ALL_COMMANDS, {});
    expect(parsed).toMatchObject({ kind: 'run', input: { args: { name: '--profile' } } });
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
