import { checkPublicKey, fingerprint } from '../../crypto/public-key';
import { sameVerificationCode, verificationCode } from '../../crypto/verification-code';
import { ID_PATTERN } from '../../domain/streams';
import { quoted } from '../../shared/quoted';
import { checkFailed } from '../cli-error';
import { approvalsLabel, type KeyRequestView } from '../key-request-view';
import { formatFields } from '../output';
import { sentence } from '../../shared/hidden-characters';

export type { KeyRequestView } from '../key-request-view';

/**
 * What an approver can trust of a request: its key is a real Ed25519 key, and the fingerprint and
 * verification code (R5) are computed here from that key. Problems are listed, not thrown, so the
 * pending list can show every request.
 */
export function reviewKeyRequest(orgId: string, request: KeyRequestView): { code?: string; problems: string[] } {
  const keyProblem = checkPublicKey(request.publicKey);
  if (keyProblem) return { problems: [`its public key is not a valid Ed25519 key (${keyProblem})`] };
  // An id with a line break or more would write lines of its own into every sentence that names the requester.
  if (!ID_PATTERN.test(request.agentId)) return { problems: [`its requester id ${quoted(request.agentId)} is not an id as the server gives them`] };
  const problems: string[] = [];
  const computedFingerprint = fingerprint(request.publicKey);
  if (computedFingerprint !== request.fingerprint)
    problems.push(`the server shows fingerprint ${quoted(request.fingerprint)}, but the key's is ${computedFingerprint}`);
  const code = verificationCode(orgId, request.agentId, request.publicKey);
  if (!sameVerificationCode(request.verificationCode ?? '', code))
    problems.push(`the server shows verification code ${quoted(String(request.verificationCode))}, but the key's is ${code}`);
  return { code, problems };
}

/** Refuses (exit 5) to decide on a request whose display does not match its key. */
export function trustedCode(orgId: string, request: KeyRequestView): string {
  const { code, problems } = reviewKeyRequest(orgId, request);
  if (problems.length > 0 || !code)
    throw checkFailed(
      `${sentence`Refusing to decide on key request ${request.requestId}:`}\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n` +
        'The server may have been tampered with: do not approve this key; report it.',
    );
  return code;
}

export const requesterLabel = (request: KeyRequestView): string => {
  const who = [request.displayName, request.email ? `<${request.email}>` : undefined].filter(Boolean).join(' ');
  return who ? `${request.agentId} (${who})` : request.agentId;
};

/** A pending request's expiry as shown when the server leaves it out (a release before it was answered: LATER_MEMBERS). */
const UNKNOWN_EXPIRY = 'unknown (this server does not say: a release before 2026-12-04)';
/** The same for the ACTIVE key a pending request replaces (R8). */
const UNKNOWN_REPLACED = 'unknown (this server does not say: a release before 2026-12-06)';

/** R8: what approving a PENDING request revokes, as an approver reads it before deciding. */
function replacement(request: KeyRequestView): string | undefined {
  if (request.status !== 'PENDING') return undefined;
  if (!('replacesFingerprint' in request)) return UNKNOWN_REPLACED;
  return request.replacesFingerprint ? `${request.replacesFingerprint} (ACTIVE: approving revokes it)` : undefined;
}

/** The request as an approver sees it before deciding. */
export function describeKeyRequest(request: KeyRequestView, code: string): string {
  return [
    sentence`Key request ${request.requestId}${request.status ? ` (${request.status})` : ''}`,
    formatFields([
      ['requester', requesterLabel(request)],
      ['requested at', request.requestedAt],
      // R20: by the org's policy now; past it nobody can decide the request.
      [request.status === 'EXPIRED' ? 'expired at' : 'expires at', request.expiresAt ?? (request.status === 'PENDING' && !('expiresAt' in request) ? UNKNOWN_EXPIRY : undefined)],
      ['approvals', approvalsLabel(request)],
      ['fingerprint', request.fingerprint],
      ['replaces', replacement(request)],
      ['verification code', `${code}  (computed here from the request's public key; the server shows the same)`],
      ['wrong codes so far', request.failedAttempts ? String(request.failedAttempts) : undefined],
    ]),
  ].join('\n');
}
