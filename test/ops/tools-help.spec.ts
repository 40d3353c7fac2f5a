import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv } from '../support/embedded-env';
import { runWithin } from '../support/run-within';
import { ROOT } from './support/server-process';

/** The six operator tools (built), by their npm script, with a line that asks for help after other words. */
const TOOLS = [
  { script: 'token', file: 'tools/mint-token.js', usage: 'usage: npm run token -- --org <orgId> --agent <agentId>', withWords: ['--org', 'acme', '--help'] },
  { script: 'backup', file: 'backup/backup.main.js', usage: 'usage: npm run backup -- <empty or new folder', withWords: ['backups/x', '-h'] },
  { script: 'projections:rebuild', file: 'read-models/rebuild.main.js', usage: 'usage: npm run projections:rebuild -- <', withWords: ['org-status', '--help'] },
  { script: 'witness', file: 'witness/witness.main.js', usage: 'usage: npm run witness [-- key | forks]', withWords: ['key', '-h'] },
  { script: 'emails', file: 'notifications/failed-emails.main.js', usage: 'usage: npm run emails -- failed', withWords: ['retry', 'job-1', '--help'] },
  // It takes no arguments: --help outweighs one given, as over another tool's wrong ones (it was its usage on stderr, exit 2).
  { script: 'worker', file: 'notifications/worker.main.js', usage: 'usage: npm run worker (no arguments', withWords: ['now', '--help'] },
] as const;

/**
 * `npm run <tool> -- --help` (or -h, anywhere before `--`, as `ztkeys` reads it): the usage on
 * stdout, exit 0, and nothing touched (no DATA_DIR or WITNESS_DATA_DIR made, no store opened);
 * a line parseArgs cannot read stays a usage error (stderr, exit 2), as `ztkeys keys create --bogus --help`.
 */
describe('operator tools --help', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-tools-help-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const dataDir = join(work, 'no-data');
  const witnessDataDir = join(work, 'no-witness-data');
  // A configuration that would refuse every start: help reads none of it.
  const run = (file: string, args: readonly string[]) =>
    runWithin([process.execPath, join(ROOT, 'dist/src', file), ...args], {
      cwd: work,
      env: embeddedEnv({ DATA_DIR: dataDir, WITNESS_DATA_DIR: witnessDataDir, WITNESS_LOG_KEYS: '', JWKS_URL: 'http://127.0.0.1:9/jwks' }),
      encoding: 'utf8',
    }, 20_000);
  // Neither DATA_DIR nor WITNESS_DATA_DIR (both in it), nor a folder named as an argument, nor a lock.
  const nothingMade = () => expect(readdirSync(work)).toEqual([]);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  describe.each(TOOLS)('npm run $script', ({ script, file, usage, withWords }) => {
    it.each([[['--help']], [['-h']], [withWords]])('%j prints its usage on stdout and exits 0, touching nothing', (args) => {
      const result = run(file, args);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(result.stdout.startsWith(usage)).toBe(true);
      nothingMade();
    });

    it('an unknown option beside --help is still a usage error: its usage on stderr, exit 2, nothing on stdout', () => {
      const result = run(file, ['--bogus', '--help']);
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
      expect(result.stderr).toContain("Unknown option '--bogus'");
      expect(result.stderr).toContain(usage);
      nothingMade();
    });

    it('--help after `--` is an argument, not a request for help', () => {
      const result = run(file, ['--', '--help']);
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
      expect(result.stderr).toContain(usage);
      nothingMade();
    });

    it('README says `--help`, and the usage names every command and option README runs it with', () => {
      expect(readme.includes(`npm run ${script} -- --help`)).toBe(true);
      const help = run(file, ['--help']).stdout;
      const runs = [...readme.matchAll(new RegExp(`npm run ${script} -- ([^\`#\\n]*)`, 'g'))].map((match) => match[1].trim().split(/\s+/));
      expect(runs.length).toBeGreaterThan(1);
      const named = runs.flatMap((words) => words.filter((word, i) => word !== '--help' && (/^--[a-z][a-z-]*$/.test(word) || (i === 0 && /^[a-z][a-z-]*$/.test(word)))));
      expect(named.filter((word) => !help.includes(word))).toEqual([]);
    });
  });
});
