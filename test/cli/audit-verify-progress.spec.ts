import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';

/** An export of the release of 2026-12-01 as its server served it: 15 events of one org, checkpoints of size 4, 10, 14 and 15 on lines 5, 12, 17 and 19. */
const FIXTURES = join(__dirname, '..', 'transparency', 'fixtures', 'upgrade');
const LINES = readFileSync(join(FIXTURES, 'export-of-8f13e1b.ndjson'), 'utf8').trim().split('\n');
const ORG = (JSON.parse(LINES[0]) as { data: { orgId: string } }).data.orgId;

type Line = Record<string, unknown>;

/**
 * A failed `audit verify` says how far the file was verified, so that an auditor knows what of it
 * may still be relied on: by org, the events a checkpoint whose root was checked signs, every rule
 * checked on them; nothing else. The built CLI runs as its own process (run npm run build first).
 */
describe('audit verify of a file that fails, how far it verified', () => {
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'ztkeys-verify-progress-'))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The export with line `number` (1-based) edited, verified by the built CLI. */
  const verifyEdited = async (number: number, edit: (line: Line) => Line, ...options: string[]) => {
    const file = join(work, `edited-${number}.ndjson`);
    writeFileSync(file, `${LINES.map((text, index) => (index === number - 1 ? JSON.stringify(edit(JSON.parse(text) as Line)) : text)).join('\n')}\n`);
    return runProcess(CLI_BUILT, ['audit', 'verify', file, '--log-key', join(FIXTURES, 'log-key.txt'), ...options], { env: { PATH: process.env.PATH, ZTKEYS_HOME: work } });
  };

  it('names the events the last checkpoint checked before the failure signs, when an event after it was altered (found at the next checkpoint)', async () => {
    // Line 14 is event 10, after the checkpoint of size 10 on line 12: the checkpoint of size 14 on line 17 finds it.
    const run = await verifyEdited(14, (line) => ({ ...line, correlationId: '01a24195-0000-7000-8000-000000000000' }));
    expect(run.code).toBe(EXIT.TAMPERED);
    expect(run.stderr).toMatch(/First problem at line 17 \(CheckpointSigned [^)]*\): the signed root at size 14 is \S+ but the events give \S+/);
    expect(run.stderr).toMatch(new RegExp(`\\nVerified before it: the first 10 events of org ${ORG} \\(signed by its checkpoint of size 10 on line 12\\)\\. Nothing after them is\\.\\n$`));
  });

  it('names those of the checkpoint before a line that breaks a rule itself', async () => {
    // Line 18, event 14, jumps a revision of its stream: refused on that line, after the checkpoint of size 14 on line 17.
    const run = await verifyEdited(18, (line) => ({ ...line, revision: (line.revision as number) + 1 }));
    expect(run.code).toBe(EXIT.TAMPERED);
    expect(run.stderr).toMatch(/First problem at line 18 \(SensitiveTaskAuthorized [^)]*\): stream \S+ jumps from revision/);
    expect(run.stderr).toContain(`\nVerified before it: the first 14 events of org ${ORG} (signed by its checkpoint of size 14 on line 17). Nothing after them is.\n`);
  });

  it('says nothing in it is verified when no checkpoint came before the failure, or the failure is of the file as a whole', async () => {
    const early = await verifyEdited(3, (line) => ({ ...line, revision: 5 }));
    expect(early.code).toBe(EXIT.TAMPERED);
    expect(early.stderr).toMatch(/First problem at line 3 .*\nNothing in it is verified\.\n$/);

    // The org's first key is not the one the auditor pinned: no event of it is the log the auditor meant.
    const pinned = await verifyEdited(1, (line) => line, '--first-key', 'ab'.repeat(32));
    expect(pinned.code).toBe(EXIT.TAMPERED);
    expect(pinned.stderr).toMatch(/First problem at the file as a whole: org \S+'s first key is \S+, not the pinned a?b+.*\nNothing in it is verified\.\n$/);
  });

  it('gives the verified prefixes with --json, under the failure', async () => {
    const run = await verifyEdited(18, (line) => ({ ...line, revision: (line.revision as number) + 1 }), '--json');
    expect(run.code).toBe(EXIT.TAMPERED);
    expect(JSON.parse(run.stderr).error.failure).toMatchObject({ line: 18, verified: [{ orgId: ORG, events: 14, checkpointLine: 17 }] });
  });
});
