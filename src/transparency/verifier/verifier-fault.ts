/**
 * The verifier itself failed (a bug, or a platform primitive that threw): no verdict on the log,
 * which is neither accepted nor refused. The CLI exits 1 on it, not 6.
 */
export class VerifierFault extends Error {
  constructor(
    /** The line being read, 0 when the file as a whole was being checked. */
    readonly line: number,
    cause: unknown,
  ) {
    const where = line === 0 ? 'the file as a whole' : `line ${line}`;
    super(`the verifier failed on ${where}: ${cause instanceof Error ? cause.message : String(cause)}. This is a bug in the verifier, not a verdict about the log: report it.`, { cause });
    this.name = 'VerifierFault';
  }
}
