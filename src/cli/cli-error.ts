import { EXIT, type ExitCode } from './exit-codes';

/** An expected failure: its message is shown as is (no stack), and it sets the exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** Machine-readable details printed with --json (for example the server's problem document). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT.USAGE, message);
export const checkFailed = (message: string): CliError => new CliError(EXIT.CHECK_FAILED, message);
