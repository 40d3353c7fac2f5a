import { CliContext } from './cli-context';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { parseCommandLine } from './command-line';
import { ALL_COMMANDS } from './commands/all-commands';
import { EXIT } from './exit-codes';
import { jsonShown, withHiddenShown } from '../shared/hidden-characters';

/** Runs one command line and returns the exit code; expected failures are reported on stderr. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let json = argv.includes('--json');
  try {
    const parsed = parseCommandLine(argv, ALL_COMMANDS, io.env);
    if (parsed.kind === 'help' || parsed.kind === 'version') {
      io.stdout.write(`${parsed.text}\n`);
      return EXIT.OK;
    }
    json = parsed.globals.json;
    await parsed.command.run(parsed.input, new CliContext(io, parsed.globals));
    return EXIT.OK;
  } catch (error) {
    if (!(error instanceof CliError)) {
      io.stderr.write(`ztkeys: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return EXIT.INTERNAL;
    }
    io.stderr.write(
      json ? `${jsonShown({ error: { exitCode: error.exitCode, message: error.message, ...error.details } })}\n` : `ztkeys: ${withHiddenShown(error.message)}\n`,
    );
    return error.exitCode;
  }
}
