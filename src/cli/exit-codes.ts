/**
 * Process exit codes of ztkeys, documented in README so scripts can branch on them.
 * A refusal by the server (4xx) is told apart from one by this CLI's own checks, because the
 * latter means the server's answer could not be trusted (or the key could not be unlocked).
 */
export const EXIT = {
  OK: 0,
  /** A bug in ztkeys itself. */
  INTERNAL: 1,
  /** Bad arguments, not logged in, no key on this machine, no terminal to ask a secret on. */
  USAGE: 2,
  /** The server refused (HTTP 4xx): not allowed, not found, wrong verification code, ... */
  REFUSED: 3,
  /** The server failed (HTTP 5xx), gave an unreadable answer, or could not be reached. */
  SERVER: 4,
  /** ztkeys refused: wrong passphrase, damaged key file, or a server answer that failed a check. */
  CHECK_FAILED: 5,
  /** `audit verify`: the audit log is invalid or was tampered with (the first bad line and why are printed, then how far it was verified). */
  TAMPERED: 6,
  /** The witness refused: the server's log (or the export written) is not an extension of the checkpoint this CLI saw before; or `audit verify`: the file does not extend the trusted checkpoint; or the checkpoint lacks the shared witnesses' cosignatures (--witness-key). */
  FORKED: 7,
  /** The agent token expired (seen here) or the server did not accept it (401 UNAUTHENTICATED, or no code): log in again. */
  TOKEN_EXPIRED: 8,
  /** `audit verify`: every checkpoint holds, but the file has events no checkpoint signs (after the last one, or an org with none): nothing vouches for them. */
  UNCOVERED: 9,
  /** `audit verify`: no tampering found, but the file holds events a newer ztkeys wrote, which this release cannot read: verify it with that release. */
  NEWER_RELEASE: 10,
  /** Interrupted at a prompt (Ctrl-C), as shells report SIGINT. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, as `ztkeys --help` lists them (README, "Scripts: `--json`, exit codes", in full). */
export const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = {
  [EXIT.OK]: 'done',
  [EXIT.INTERNAL]: 'internal error (a bug in ztkeys); for "audit verify", the verifier failed: no verdict about the log',
  [EXIT.USAGE]: 'usage: bad arguments, not logged in, no key here, no terminal to ask a secret on',
  [EXIT.REFUSED]: 'refused by the server (HTTP 4xx)',
  [EXIT.SERVER]: 'server error (HTTP 5xx), unreadable answer, a redirect, or server unreachable',
  [EXIT.CHECK_FAILED]: 'refused by ztkeys: wrong passphrase, damaged key file, or a server answer that failed a check',
  [EXIT.TAMPERED]: '"audit verify": the audit log is invalid or tampered (the first bad line and why are printed, then how far it was verified)',
  [EXIT.FORKED]: "forked: the server's audit log, or the export written, does not extend the checkpoint this CLI saw before, or the file given to \"audit verify\" does not extend --trusted-checkpoint, or the checkpoint lacks the cosignatures --witness-key requires",
  [EXIT.TOKEN_EXPIRED]: 'the agent token expired or was not accepted: log in again',
  [EXIT.UNCOVERED]: '"audit verify": verified up to the last checkpoints, but events after them are signed by none: not verified',
  [EXIT.NEWER_RELEASE]: '"audit verify": cannot verify: the file holds events a newer ztkeys wrote (no tampering found before or after them): verify it with that release',
  [EXIT.INTERRUPTED]: 'interrupted at a prompt',
};
