import canonicalize from 'canonicalize';
import type { ChallengeFields } from '../domain/shared/signed-proof';

/** The statement a client signs: RFC 8785 canonical JSON of the challenge fields, as UTF-8. */
export function challengeStatement(fields: ChallengeFields): string {
  const text = canonicalize(fields);
  if (text === undefined) throw new TypeError('challenge fields cannot be canonicalized');
  return text;
}
