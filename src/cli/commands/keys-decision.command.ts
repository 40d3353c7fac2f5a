import { sameVerificationCode } from '../../crypto/verification-code';
import { isVerificationCodeShape } from '../../crypto/verification-code-derivation';
import { isProblem } from '../api-client';
import type { components } from '../api-types.generated';
import { AgentSession } from '../agent-session';
import { approvalRecorded } from '../key-request-view';
import { CliError, checkFailed, usageError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { EXIT } from '../exit-codes';
import { readVisibleLine } from '../terminal';
import { describeKeyRequest, trustedCode, type KeyRequestView } from './key-request-review';
import { sentence } from '../../shared/hidden-characters';

type KeyRequestDecided = components['schemas']['KeyRequestDecidedView'];
type Decision = { decision: 'APPROVE'; verificationCode: string } | { decision: 'REJECT'; reason?: string };

/** Digits of a verification code (src/crypto/verification-code.ts). */
const CODE_DIGITS = 15;

/** Loads the request, checks its code against its key, shows it; only a PENDING one can be decided. Its code, computed here, with it. */
async function reviewForDecision(session: AgentSession, requestId: string): Promise<{ request: KeyRequestView; code: string }> {
  const request = await session.api.ok(session.api.http.GET('/v1/orgs/{orgId}/key-requests/{requestId}', { params: { path: { ...session.org, requestId } } }));
  if (request?.requestId !== requestId)
    throw new CliError(EXIT.CHECK_FAILED, sentence`The server answered request ${request?.requestId} when asked for ${requestId}.`);
  const code = trustedCode(session.profile.orgId, request);
  session.ctx.output.info(describeKeyRequest(request, code));
  if (request.status === 'EXPIRED')
    throw new CliError(EXIT.REFUSED, sentence`Request ${requestId} is EXPIRED${request.expiresAt ? ` since ${request.expiresAt}` : ''}: nobody can decide it any more; ${request.agentId} may request a key again.`);
  if (request.status !== undefined && request.status !== 'PENDING')
    throw new CliError(EXIT.REFUSED, sentence`Request ${requestId} is ${request.status}: there is nothing to decide.`);
  return { request, code };
}

/**
 * The code the requester reads out; a malformed one is refused here, so it costs no attempt, and so
 * is one that is not the code of the key shown (R5, computed here): the KEY_DECISION statement binds
 * the key, not the code typed, so a signature made for it would approve that key whatever was read
 * out, and a server that swapped the key would record it, an approval audit verify accepts.
 */
async function askReadOutCode(session: AgentSession, request: KeyRequestView, code: string, given: string | undefined): Promise<string> {
  const { io } = session.ctx;
  const typed =
    given ?? (await readVisibleLine(io.stdin, io.stderr, `Verification code read out by ${request.agentId} (${CODE_DIGITS} digits): `));
  if (!isVerificationCodeShape(typed))
    throw usageError(`A verification code has ${CODE_DIGITS} digits (groups of 3 may be separated by "-" or spaces); nothing was sent.`);
  if (!sameVerificationCode(typed, code))
    throw checkFailed(
      `${sentence`The code read out, ${typed}, is not the code of the key this request holds (${code}): nothing was signed or sent.`} ` +
        sentence`Have ${request.agentId} read it again from what "ztkeys keys create" printed them; if it still differs, do not approve: the key the server holds for this request is not the one they made, or they read another request's code.`,
    );
  return typed;
}

/** Signs the decision with the approver's active key and sends it. */
async function decide(session: AgentSession, request: KeyRequestView, decision: Decision): Promise<KeyRequestDecided> {
  const key = await session.unlockActiveKey();
  try {
    const proof = await session.sign(key, { purpose: 'KEY_DECISION', requestId: request.requestId, requesterPublicKey: request.publicKey, decision: decision.decision });
    const params = { path: { ...session.org, requestId: request.requestId } };
    return await session.api.ok(
      decision.decision === 'APPROVE'
        ? session.api.http.POST('/v1/orgs/{orgId}/key-requests/{requestId}/approve', { params, body: { verificationCode: decision.verificationCode, ...proof } })
        : session.api.http.POST('/v1/orgs/{orgId}/key-requests/{requestId}/reject', { params, body: { ...(decision.reason ? { reason: decision.reason } : {}), ...proof } }),
    );
  } finally {
    key.secretKey.fill(0);
  }
}

export const keysApproveCommand: CommandSpec = {
  path: ['keys', 'approve'],
  summary: "Approve a key request with the requester's verification code and your signature (ADMIN, SUPER_ADMIN)",
  details: `Shows the requester and fingerprint, computes the verification code from the request's public key
(refusing if the server shows another), asks for the code the requester reads out to you (refusing,
before anything is signed or sent, one that is not that code), then for your passphrase, and signs the
KEY_DECISION challenge after checking it binds this request, key and decision. Wrong codes the server
is sent are counted: the 5th locks the request.`,
  args: [{ name: 'requestId' }],
  options: {
    code: { type: 'string', valueName: 'code', description: 'the code the requester read out (else asked; piped input works too)' },
  },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { request, code: computed } = await reviewForDecision(session, input.args.requestId);
    const code = await askReadOutCode(session, request, computed, input.strings.code);
    let result: KeyRequestDecided;
    try {
      result = await decide(session, request, { decision: 'APPROVE', verificationCode: code });
    } catch (error) {
      if (isProblem(error, 'VERIFICATION_CODE_MISMATCH')) {
        const left = error.problem.attemptsLeft;
        throw new CliError(
          EXIT.REFUSED,
          `${sentence`Wrong verification code: ${request.agentId}'s key was not approved.`}${typeof left === 'number' ? ` ${left} attempt(s) left before the request locks.` : ''}`,
          error.details,
        );
      }
      if (isProblem(error, 'REQUEST_LOCKED'))
        throw new CliError(
          EXIT.REFUSED,
          sentence`Wrong verification code, and the last attempt: request ${request.requestId} is now LOCKED. ${request.agentId} must request a new key.`,
          error.details,
        );
      throw error;
    }
    const human =
      result.status === 'PENDING'
        ? approvalRecorded(request.agentId, result)
        : sentence`Approved: ${request.agentId}'s key ${request.fingerprint} is ACTIVE.`;
    // What was reviewed and signed last: members of the server's answer named alike do not override it for scripts.
    ctx.output.result(human, { ...result, requestId: request.requestId, agentId: request.agentId, fingerprint: request.fingerprint });
  },
};

export const keysRejectCommand: CommandSpec = {
  path: ['keys', 'reject'],
  summary: 'Reject a key request, signed with your key (ADMIN, SUPER_ADMIN); the requester may request again',
  args: [{ name: 'requestId' }],
  options: { reason: { type: 'string', valueName: 'text', shownText: 'lines', description: 'why, for the requester and the audit log' } },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { request } = await reviewForDecision(session, input.args.requestId);
    const reason = input.strings.reason;
    const decided = await decide(session, request, { decision: 'REJECT', reason });
    ctx.output.result(sentence`Rejected ${request.agentId}'s key request ${request.requestId}. They may request a new key.`, { ...decided, requestId: request.requestId, agentId: request.agentId });
  },
};
