/**
 * What `ztkeys audit verify` and the console say of a file holding events a newer release wrote
 * (AuditFailure.newerRelease), after "The audit log": neither verified nor tampered, and what to do.
 * `where` names the first such line, `reason` its type and version.
 */
export const newerReleaseVerdict = (where: string, reason: string): string =>
  "CANNOT BE VERIFIED by this release of ztkeys: it holds events a newer ztkeys wrote; verify it with that release's ztkeys. " +
  `The first is at ${where}: ${reason}; no tampering was found (every hash and checkpoint holds), but the rules of that event and of its org's events after it were not checked.`;
