import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import type { NoteSigner } from '../../src/transparency/signed-note';
import { CLI_BUILT, runProcess } from '../cli/support/cli-process';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { logSignerOf, resignedExport } from './resigned-export';
import type { ExportLine } from './signed-export';

/** A forged export, the index of the line it must be refused at and what the refusal says. */
export type Forgery = [name: string, exported: ExportLine[], line: number, reason: string];

/**
 * A describe block's own server (checkpoints 50 ms after each growth), whose log key its tests
 * hold as an insider does, and `audit verify` (the built CLI) run on the exports they forge with
 * it, in a folder of their own (also the CLI's home), removed after them.
 */
export function forgerySuite(folder: string) {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });
  let work: string;
  let vkey: string;
  let signer: NoteSigner;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), `ztkeys-${folder}-`));
    vkey = (await call(suite.server, 'GET', '/v1/log-key')).body as string;
    signer = logSignerOf(suite.server.dataDir);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The lines with every checkpoint of org `orgId` signed anew over them by the log key. */
  const resigned = (lines: ExportLine[], orgId: string): ExportLine[] => resignedExport(lines, signer, orgId);
  const verify = async (name: string, exported: ExportLine[]) => {
    const file = join(work, `${name}.ndjson`);
    writeFileSync(file, exported.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const { code, stdout } = await runProcess(CLI_BUILT, ['audit', 'verify', file, '--log-key', vkey, '--json'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: work } });
    return { code, failure: (JSON.parse(stdout) as { failure?: { line: number; reason: string } }).failure };
  };
  /** Every forgery verified, each refused (exit 6) at its line, saying its reason. */
  const expectRefused = async (what: string, forgeries: Forgery[]) => {
    const verdicts = [];
    for (const [name, exported] of forgeries) verdicts.push({ name, ...(await verify(`${what}-${name}`, exported)) });
    const refused = forgeries.map(([name, , line, reason]) => ({ name, code: EXIT.TAMPERED, failure: expect.objectContaining({ line: line + 1, reason: expect.stringContaining(reason) }) }));
    expect(verdicts).toEqual(refused);
  };
  return { suite, resigned, verify, expectRefused };
}
