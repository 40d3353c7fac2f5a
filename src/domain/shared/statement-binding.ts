import canonicalize from 'canonicalize';
import { askedPart, type ChallengeBinding, type ChallengeRequest } from './challenge-purposes';
import { CHALLENGE_TTL_MS, CLOCK_SKEW_TOLERANCE_MS } from './signed-proof';
import { isoInstant } from '../../shared/iso-instant';

/**
 * What a signature is meant for, per purpose (PRODUCT.md, Signatures). What the server adds (the
 * requester's public key of a key decision) comes from what the signer looked at, not from the challenge.
 */
export type Binding = ChallengeBinding;

/** The caller the challenge must be issued to. */
export interface Signer {
  orgId: string;
  agentId: string;
}

/** Clock slack on a challenge's lifetime: servers may stamp issuedAt and expiresAt a moment apart. */
const LIFETIME_SLACK_MS = 60_000;

/** Fields every statement has besides what its purpose binds. */
const COMMON_FIELDS = ['nonce', 'issuedAt', 'expiresAt'];

/** The body of POST .../challenges for a binding: the server adds what it knows (the requester's key). */
export const challengeRequestBody = (binding: Binding): ChallengeRequest => askedPart(binding);

/**
 * Why a challenge statement must not be signed, if it must not: it has to be canonical JSON
 * (what is parsed here is exactly what gets signed) and bind this caller, this purpose and
 * exactly what this signature is meant for, nothing else, for no longer than a challenge lives,
 * and live `now` (the signer's clock, give or take the log's skew tolerance): a statement of a later
 * lifetime is a signature the server could record, and a verifier accept, at a time of its choosing.
 */
export function statementMismatches(statement: string, signer: Signer, binding: Binding, now: number): string[] {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(statement) as Record<string, unknown>;
  } catch {
    return ['it is not JSON'];
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return ['it is not a JSON object'];
  const problems: string[] = [];
  if (canonicalize(fields) !== statement) problems.push('it is not RFC 8785 canonical JSON');
  const expected: Record<string, unknown> = { orgId: signer.orgId, agentId: signer.agentId, ...binding };
  for (const [name, value] of Object.entries(expected)) {
    if (!Object.hasOwn(fields, name)) problems.push(`it does not bind ${name}`);
    else if (fields[name] !== value) problems.push(`it binds ${name} ${JSON.stringify(fields[name])} instead of ${JSON.stringify(value)}`);
  }
  // Own members only: `in` would take a member named constructor, toString or __proto__ as one asked for.
  for (const name of Object.keys(fields))
    if (!Object.hasOwn(expected, name) && !COMMON_FIELDS.includes(name)) problems.push(`it also binds ${name}, which this signature is not for`);
  if (typeof fields.nonce !== 'string' || fields.nonce === '') problems.push('it has no nonce');
  // Only the one form the log writes: a time without a zone, read here as this machine's local time, is another instant to a verifier elsewhere.
  const issuedAt = typeof fields.issuedAt === 'string' ? isoInstant(fields.issuedAt) : NaN;
  const expiresAt = typeof fields.expiresAt === 'string' ? isoInstant(fields.expiresAt) : NaN;
  if (Number.isNaN(issuedAt) || Number.isNaN(expiresAt))
    problems.push(`its issuedAt or expiresAt is not a time as the log writes it (${JSON.stringify(fields.issuedAt)}, ${JSON.stringify(fields.expiresAt)}: UTC, to the millisecond)`);
  else if (expiresAt <= issuedAt || expiresAt - issuedAt > CHALLENGE_TTL_MS + LIFETIME_SLACK_MS)
    problems.push(`it is valid from ${fields.issuedAt as string} to ${fields.expiresAt as string}, not for about ${CHALLENGE_TTL_MS / 60_000} minutes`);
  else if (now < issuedAt - CLOCK_SKEW_TOLERANCE_MS || now > expiresAt + CLOCK_SKEW_TOLERANCE_MS)
    problems.push(`it is valid from ${fields.issuedAt as string} to ${fields.expiresAt as string}, not now (${new Date(now).toISOString()} on this machine)`);
  return problems;
}
