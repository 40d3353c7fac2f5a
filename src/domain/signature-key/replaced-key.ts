/**
 * R8: the key that approving a PENDING request revokes (REPLACED): the ACTIVE key the request was
 * made to replace, while it is still ACTIVE. The decider revokes the ACTIVE key at approval, and
 * while a request waits its agent gets no other (a new request cancels it): once an admin revoked
 * that key, approving replaces none.
 */
export const replacedKey = (replacesFingerprint: string | null | undefined, activeFingerprint: string | undefined): string | null =>
  replacesFingerprint && replacesFingerprint === activeFingerprint ? replacesFingerprint : null;
