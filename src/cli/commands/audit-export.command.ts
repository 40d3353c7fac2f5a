import { pipeline } from 'node:stream/promises';
import { AgentSession } from '../agent-session';
import { witnessLog } from '../audit-witness';
import { CliError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { EXIT } from '../exit-codes';

export const auditExportCommand: CommandSpec = {
  path: ['audit', 'export'],
  summary: 'Write the whole audit log to stdout as NDJSON, one event a line, in log order (ADMIN, SUPER_ADMIN, AUDITOR)',
  details: [
    'Usage: ztkeys audit export > audit.ndjson   (the output is NDJSON with or without --json)',
    "First checks, as a witness, that the server's log extends the last checkpoint this CLI saw (exit 7 if not).",
  ].join('\n'),
  async run(_input, ctx) {
    const session = AgentSession.open(ctx);
    await witnessLog(session);
    const body = await session.api.auditExport(session.profile.orgId);
    try {
      await pipeline(body, ctx.io.stdout, { end: false });
    } catch (error) {
      // A reader that stops early (| head) is not an error of the export.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw new CliError(EXIT.SERVER, `The audit export broke off: ${(error as Error).message}. The output is incomplete.`);
    }
  },
};
