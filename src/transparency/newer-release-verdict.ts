/**
 * What `ztkeys audit verify` and the console say of a file holding events a newer release wrote
 * (AuditFailure.newerRelease), after "The audit log": neither verified nor tampered, and what to do.
 * `where` names the first such line, `reason` its type and version; `unreadCheckpoints` counts the
 * checkpoint lines this release could not open, whose signatures vouched for nothing here (their
 * version is no part of what is signed: one relabelled so must not read as a checkpoint that holds).
 */
export const newerReleaseVerdict = (where: string, reason: string, unreadCheckpoints = 0): string =>
  "CANNOT BE VERIFIED by this release of ztkeys: it holds events a newer ztkeys wrote; verify it with that release's ztkeys. " +
  `The first is at ${where}: ${reason}; no tampering was found in what this release reads (every line's hash, and every checkpoint it can open, holds), ` +
  `but the rules of that event and of its org's events after it were not checked${
    unreadCheckpoints === 0 ? '' : `, nor what the ${unreadCheckpoints === 1 ? 'checkpoint' : `${unreadCheckpoints} checkpoints`} it cannot open sign${unreadCheckpoints === 1 ? 's' : ''}`
  }.`;
