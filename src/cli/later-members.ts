/**
 * Members of API v1's answers that releases after the oldest one this CLI reads (the release of
 * 2026-12-01, 8f13e1b) added, by schema of the OpenAPI document: a server of an earlier release
 * (a rolling upgrade, either way round) leaves them out. Answers are checked with them optional,
 * and commands show one that is absent as unknown. A member a command cannot do without is not
 * read as optional: that command tells the server is too old. A test keeps this list equal to what
 * the document requires that the release's own document did not.
 */
export const LATER_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  KeyRequestView: ['replacesFingerprint', 'approvalsRequired', 'remindAt', 'expiresAt'],
  PendingKeyView: ['displayName', 'email', 'remindAt', 'expiresAt'],
};
