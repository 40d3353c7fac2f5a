import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgentSession } from '../agent-session';
import { appendExport } from '../append-export';
import { witnessLog } from '../audit-witness';
import { notWitnessed, WitnessedPrefix } from '../witnessed-prefix';
import { WITNESS_OPTIONS, witnessRequirement } from '../witness-requirement';
import { CliError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { EXIT } from '../exit-codes';
import { readExportEnds } from '../export-file-ends';
import { withFileLock } from '../export-file-lock';
import { isTerminal, shownOnTerminal } from '../shown-on-terminal';

export const auditExportCommand: CommandSpec = {
  path: ['audit', 'export'],
  summary: 'Write the whole audit log to stdout as NDJSON, one event a line, in log order, or append what is new to an earlier export (ADMIN, SUPER_ADMIN, AUDITOR)',
  details: [
    'Usage: ztkeys audit export > audit.ndjson   (the output is NDJSON with or without --json)',
    '       ztkeys audit export --append audit.ndjson   (adds the lines past its last one: the file stays one whole export)',
    "First checks, as a witness, that the server's log extends the last checkpoint this CLI saw (exit 7 if not); with --witness-key, also that the checkpoint carries the cosignatures of those shared witnesses (exit 7 if not).",
    'Then checks that the export extends that checkpoint (its events up to the checkpoint\'s size have its root): exit 7 if not, the output written then not to be used (with --append, the file is left as it was).',
    "--append refuses (exit 2, writing nothing) a file that is not an export of this org: its first line must be the org's first entry, its last line the entry the log holds at its position.",
    'One --append at a time per file: it holds FILE.lock beside it, and another run meanwhile is refused (exit 2).',
    'A server that sends no byte for ZTKEYS_EXPORT_IDLE_SECONDS (default 60) is given up (exit 4): the output is incomplete; a file given to --append is left as it was.',
  ].join('\n'),
  options: {
    append: { type: 'string', valueName: 'file', description: 'an export of this org written earlier: append the lines the log has past its last one, downloaded whole before the file is written' },
    ...WITNESS_OPTIONS,
  },
  async run(input, ctx) {
    const witnesses = witnessRequirement(input);
    const session = AgentSession.open(ctx);
    const file = input.strings.append;
    if (file !== undefined) {
      // One append at a time: the file's ends are read, and the file written, under its lock.
      await withFileLock(file, async () => {
        // A file that is no export is refused before anything is asked of the server.
        const ends = readExportEnds(file);
        const witnessed = await witnessLog(session, witnesses);
        const appended = await appendExport(session, file, ends, witnessed);
        if (appended.cutShort > 0) ctx.output.warn(`${file} ended in a line cut short (${appended.cutShort} bytes, an export or append interrupted): cut off, and written again whole.`);
        ctx.output.result(
          appended.lines === 0
            ? `${file} is up to date: the log has nothing past position ${appended.after}.`
            : `Appended ${appended.lines} lines to ${file}, past position ${appended.after}, up to position ${appended.lastPosition}.`,
          { file, ...appended },
        );
      });
      return;
    }
    const witnessed = await witnessLog(session, witnesses);
    const body = await session.api.auditExport(session.profile.orgId);
    const prefix = witnessed && new WitnessedPrefix(witnessed);
    const checked = new Transform({ transform: (chunk: Buffer, _encoding, done) => (prefix?.push(chunk), done(null, chunk)) });
    try {
      // A file or pipe gets the bytes as sent (audit verify reads them); a terminal, nothing it would act on.
      if (isTerminal(ctx.io.stdout)) await pipeline(body, checked, shownOnTerminal(), ctx.io.stdout, { end: false });
      else await pipeline(body, checked, ctx.io.stdout, { end: false });
    } catch (error) {
      // A reader that stops early (| head) is not an error of the export.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw new CliError(EXIT.SERVER, `The audit export broke off: ${(error as Error).message}. The output is incomplete.`);
    }
    const reason = prefix?.finish();
    if (witnessed && reason !== undefined) throw notWitnessed(witnessed, reason, 'Do not use what was written.');
  },
};
