import { execFileSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { LOG_SIGNER, SyntheticExport } from '../transparency/support/synthetic-export';
import { parseNote, verifierKeyText } from '../../src/transparency/signed-note';
import { cosignatureLine, cosignerFromSeed, cosignerKeyText } from '../../src/transparency/cosignature';

/** An export of the release of 2026-12-01 as its server served it: 15 events of one org, its first key alice's. */
const FIXTURES = join(__dirname, '..', 'transparency', 'fixtures', 'upgrade');
const FIRST_KEY = '158cb010029369213258d17e0ee3d8ae9345d44e2dbe2fb660b3eea8a3d0e856';

/**
 * What an auditor may mistype in `audit verify`'s options is a usage error (exit 2), said as
 * such, never a verdict on the log nor the loss of a file: a pinned first key that is no
 * fingerprint was "INVALID or TAMPERED" (exit 6), and --save-checkpoint naming the export (or the
 * log key file) wrote the checkpoint over the evidence just verified.
 */
describe('audit verify: options an auditor may get wrong (built CLI)', () => {
  let work: string;
  let file: string;
  let logKey: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'ztkeys-verify-options-'));
    file = join(work, 'audit.ndjson');
    logKey = join(work, 'log-key.txt');
    copyFileSync(join(FIXTURES, 'export-of-8f13e1b.ndjson'), file);
    copyFileSync(join(FIXTURES, 'log-key.txt'), logKey);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const verify = (...options: string[]) => runProcess(CLI_BUILT, ['audit', 'verify', file, '--log-key', logKey, ...options], { env: { PATH: process.env.PATH, ZTKEYS_HOME: work } });

  /** The checkpoint `verify --save-checkpoint` saves of the fixture: saved once by the CLI (it must verify), copied where a case starts from it. */
  let savedNote: string;
  beforeAll(async () => {
    const first = mkdtempSync(join(tmpdir(), 'ztkeys-verify-options-saved-'));
    try {
      const saved = join(first, 'saved.checkpoint');
      const run = await runProcess(
        CLI_BUILT,
        ['audit', 'verify', join(FIXTURES, 'export-of-8f13e1b.ndjson'), '--log-key', join(FIXTURES, 'log-key.txt'), '--save-checkpoint', saved],
        { env: { PATH: process.env.PATH, ZTKEYS_HOME: first } },
      );
      expect(run.code).toBe(EXIT.OK);
      savedNote = readFileSync(saved, 'utf8');
    } finally {
      rmSync(first, { recursive: true, force: true });
    }
  });
  /** The saved checkpoint, as a month-old run of `verify --save-checkpoint` left it. */
  const savedCheckpoint = (): string => {
    const saved = join(work, 'saved.checkpoint');
    writeFileSync(saved, savedNote);
    return saved;
  };

  it.each([
    ['the short form the verdict shows', FIRST_KEY.slice(0, 16)],
    ['a fingerprint with a prefix', `SHA256:${FIRST_KEY}`],
    ['no fingerprint at all', 'alice'],
  ])('--first-key %s is a usage error naming the option, not a tampered log', async (_, value) => {
    const run = await verify('--first-key', value);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toContain('--first-key');
    expect(run.stderr).toContain('64 hex digits');
    expect(run.stderr).not.toContain('TAMPERED');
  });

  it('--first-key of the org\'s first key, in either case, verifies; another key\'s is refused as the log\'s fault (exit 6)', async () => {
    expect((await verify('--first-key', FIRST_KEY.toUpperCase())).code).toBe(EXIT.OK);
    const other = await verify('--first-key', 'a'.repeat(64));
    expect(other.code).toBe(EXIT.TAMPERED);
    expect(other.stderr).toContain(`first key is ${FIRST_KEY}, not the pinned ${'a'.repeat(64)}`);
  });

  it.each([
    ['the export it verifies', () => file],
    ['the export, through a link', () => {
      symlinkSync(file, join(work, 'link.ndjson'));
      return join(work, 'link.ndjson');
    }],
    ['the log key file', () => logKey],
  ])('--save-checkpoint naming %s is refused before anything is written (exit 2)', async (_, target) => {
    const before = { file: readFileSync(file, 'utf8'), logKey: readFileSync(logKey, 'utf8') };
    const run = await verify('--save-checkpoint', target());
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toContain('--save-checkpoint');
    expect({ file: readFileSync(file, 'utf8'), logKey: readFileSync(logKey, 'utf8') }).toEqual(before);
    expect((await verify()).code).toBe(EXIT.OK);
  });

  it.each([
    ['CRLF line ends', (note: string) => note.replace(/\n/g, '\r\n')],
    ['a byte order mark', (note: string) => `\ufeff${note}`],
    ['no newline at its end', (note: string) => note.slice(0, -1)],
    ['a blank line after it', (note: string) => `${note}\n`],
  ])('a trusted checkpoint an editor or a copy gave %s still opens, as the export so written does; edited, it does not', async (_, edit) => {
    // It was exit 6, "does not open with the log key": a false alarm over the file kept from last month.
    const saved = savedCheckpoint();
    const note = readFileSync(saved, 'utf8');
    writeFileSync(saved, edit(note));
    expect(await verify('--trusted-checkpoint', saved, '--save-checkpoint', saved)).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(readFileSync(saved, 'utf8')).toBe(note);
    writeFileSync(saved, edit(note.replace('\n15\n', '\n14\n')));
    expect(await verify('--trusted-checkpoint', saved)).toMatchObject({ code: EXIT.TAMPERED, stderr: expect.stringContaining('does not open with the log key') });
  });

  it('--save-checkpoint naming a --witness-key file is refused before anything is written (exit 2)', async () => {
    const witnessKeys = join(work, 'witness-keys.txt');
    const witness = cosignerFromSeed('witness.example/w1', Buffer.alloc(32, 2));
    const keys = `${cosignerKeyText(witness)}\n`;
    writeFileSync(witnessKeys, keys);
    const saved = savedCheckpoint();
    // The kept checkpoint, cosigned by the witness: the one verify then writes over the file it is told to save to.
    const note = readFileSync(saved, 'utf8');
    writeFileSync(saved, note + cosignatureLine(witness, parseNote(note).text, 1_764_896_400));
    expect((await verify('--trusted-checkpoint', saved, '--witness-key', witnessKeys)).code).toBe(EXIT.OK);
    const run = await verify('--trusted-checkpoint', saved, '--witness-key', witnessKeys, '--witness-quorum', '1', '--save-checkpoint', witnessKeys);
    expect(run).toMatchObject({ code: EXIT.USAGE, stderr: expect.stringContaining('--save-checkpoint') });
    expect(readFileSync(witnessKeys, 'utf8')).toBe(keys);
  });

  it('--save-checkpoint over the --trusted-checkpoint it read moves it forward, as month after month', async () => {
    const saved = savedCheckpoint();
    const run = await verify('--trusted-checkpoint', saved, '--save-checkpoint', saved);
    expect(run.code).toBe(EXIT.OK);
    expect(readFileSync(saved, 'utf8')).toMatch(/\n15\n/);
  });

  it('an export read from a pipe that needs a second read (a checkpoint far behind the events before it) is a usage error saying to save it to a file, not a tampered log', async () => {
    // A checkpoint of size 32 recorded after 25,012 events: its root is checked on a second read of the file.
    const far = new SyntheticExport().directoryChanges(10).checkpoint(12).directoryChanges(25_000).checkpoint(32).checkpoint().text();
    const farFile = join(work, 'far.ndjson');
    writeFileSync(farFile, far);
    writeFileSync(logKey, `${verifierKeyText(LOG_SIGNER)}\n`);
    const env = { PATH: process.env.PATH, ZTKEYS_HOME: work };
    // `ztkeys audit verify <(ztkeys audit export) ...` or `... | ztkeys audit verify /dev/stdin`: it was exit 6, "events were removed while it was checked".
    // The same export from a file verifies; the two runs are independent and run at once.
    const fifo = join(work, 'export.fifo');
    execFileSync('mkfifo', [fifo]);
    createWriteStream(fifo).end(far);
    const [fromFile, piped] = await Promise.all([
      runProcess(CLI_BUILT, ['audit', 'verify', farFile, '--log-key', logKey], { env }),
      runProcess(CLI_BUILT, ['audit', 'verify', fifo, '--log-key', logKey], { env }),
    ]);
    expect(fromFile.code).toBe(EXIT.OK);
    expect(piped.code).toBe(EXIT.USAGE);
    expect(piped.stderr).toContain('cannot be read a second time');
    expect(piped.stderr).not.toContain('TAMPERED');
  });

  describe('a trusted checkpoint of another org than the file\'s', () => {
    /** A checkpoint of org `globex`, as `verify --save-checkpoint` keeps it of globex's export. */
    let globexNote: string;
    beforeEach(async () => {
      writeFileSync(logKey, `${verifierKeyText(LOG_SIGNER)}\n`);
      const globex = join(work, 'globex.ndjson');
      writeFileSync(globex, new SyntheticExport(undefined, 'globex').directoryChanges(3).checkpoint().text());
      const kept = join(work, 'globex.checkpoint');
      const run = await runProcess(CLI_BUILT, ['audit', 'verify', globex, '--log-key', logKey, '--save-checkpoint', kept], { env: { PATH: process.env.PATH, ZTKEYS_HOME: work } });
      expect(run.code).toBe(EXIT.OK);
      globexNote = readFileSync(kept, 'utf8');
    });

    it.each([
      ['one org (acme)', () => new SyntheticExport().directoryChanges(3).checkpoint().text(), 'org acme'],
      ['two orgs (acme, initech), globex none', () => new SyntheticExport().directoryChanges(3).checkpoint().text() + new SyntheticExport(undefined, 'initech').directoryChanges(2).checkpoint().text(), 'orgs acme, initech'],
    ])('with a file of %s is a usage error naming both orgs (exit 2), not a tampered log, and saves nothing', async (_, text, fileOrgs) => {
      // It was exit 6, "INVALID or TAMPERED: the trusted checkpoint is of org globex, which has no event in this file".
      writeFileSync(file, text());
      const trusted = join(work, 'trusted.checkpoint');
      writeFileSync(trusted, globexNote);
      const saved = join(work, 'saved.checkpoint');
      writeFileSync(saved, 'kept from before\n');
      const fresh = join(work, 'fresh.checkpoint');
      for (const save of [saved, fresh]) {
        const run = await verify('--trusted-checkpoint', trusted, '--save-checkpoint', save);
        expect(run.code).toBe(EXIT.USAGE);
        expect(run.stderr).not.toContain('TAMPERED');
        const lines = run.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('the trusted checkpoint is of org globex (its origin test.local/audit-log/globex)');
        expect(lines[0]).toContain(`the file's events are of ${fileOrgs}`);
        expect(lines[0]).toContain('give the checkpoint of the org you verify');
      }
      expect(readFileSync(saved, 'utf8')).toBe('kept from before\n');
      expect(existsSync(fresh)).toBe(false);
      expect(readFileSync(trusted, 'utf8')).toBe(globexNote);
    });

    it('in a file that holds globex among other orgs, it is checked as before: the file verifies', async () => {
      const globex = new SyntheticExport(undefined, 'globex').directoryChanges(3).checkpoint().text();
      writeFileSync(file, new SyntheticExport().directoryChanges(3).checkpoint().text() + globex);
      const trusted = join(work, 'trusted.checkpoint');
      writeFileSync(trusted, globexNote);
      const run = await verify('--trusted-checkpoint', trusted);
      expect(run.code).toBe(EXIT.OK);
      expect(run.stdout).toContain('the trusted checkpoint (size 5) is a prefix of this log');
    });
  });
});
