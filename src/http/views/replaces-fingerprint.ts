/** What the pending list and a request's read say of `replacesFingerprint`: the same fact, worked out alike (replacedKey). */
export const REPLACES =
  "R8: fingerprint of the requester's ACTIVE key that approving the request revokes (REPLACED) before its key becomes ACTIVE; null when it replaces none: a first key, or the key was revoked since the request";
