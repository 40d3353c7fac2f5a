import canonicalize from 'canonicalize';

/** The statement a client signs: RFC 8785 canonical JSON of the challenge fields, as UTF-8. */
export function challengeStatement(fields: object): string {
  const text = canonicalize(fields);
  if (text === undefined) throw new TypeError('challenge fields cannot be canonicalized');
  return text;
}
