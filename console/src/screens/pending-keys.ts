import { agentView, codeView, field, h, table } from '../dom';
import { fingerprintOf, verificationCodeOf } from '../key-facts';
import { approvalRecorded, approvalsLabel, type KeyRequestView } from '../../../src/cli/key-request-view';
import { isVerificationCodeShape, sameVerificationCode } from '../../../src/crypto/verification-code-derivation';
import { activeKey } from '../my-keys';
import { Refusal } from '../refusal';
import { sign } from '../signing';
import type { Screen } from '../ui';

/** What an approver can trust of a request: the fingerprint and code computed here from its key. */
async function review(orgId: string, request: KeyRequestView): Promise<{ code: string; problems: string[] }> {
  const code = await verificationCodeOf(orgId, request.agentId, request.publicKey);
  const problems: string[] = [];
  if ((await fingerprintOf(request.publicKey)) !== request.fingerprint) problems.push('the fingerprint shown is not the key’s');
  if (!sameVerificationCode(request.verificationCode ?? '', code)) problems.push(`the server shows code ${request.verificationCode}, but the key’s is ${code}`);
  return { code, problems };
}

/** Pending keys for approvers: check the code the requester reads out, then approve or reject, signed. */
export async function pendingKeysScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api, session } = screen;
  // Every page, oldest first (as `ztkeys keys pending`): the first 100 alone hid the rest of a backlog, and miscounted it.
  const waiting: KeyRequestView[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await api.get<{ items: KeyRequestView[]; nextCursor?: string }>(api.orgPath('key-requests'), { status: 'PENDING', limit: '100', cursor });
    waiting.push(...page.items);
    cursor = page.nextCursor;
  }
  const decide = async (request: KeyRequestView, decision: 'APPROVE' | 'REJECT', body: Record<string, string>) => {
    const key = await activeKey(api);
    const proof = await sign(api, key, { purpose: 'KEY_DECISION', requestId: request.requestId, requesterPublicKey: request.publicKey, decision });
    const decided = await api.post<{ status: string; approvals?: string[]; approvalsRequired?: number }>(
      api.orgPath('key-requests', request.requestId, decision === 'APPROVE' ? 'approve' : 'reject'),
      { ...body, ...proof },
    );
    screen.refresh();
    screen.notice(
      decision === 'REJECT'
        ? `Rejected ${request.agentId}’s key request. They may request a new key.`
        : decided.status === 'PENDING'
          ? approvalRecorded(request.agentId, decided)
          : `Approved: ${request.agentId}’s key is ACTIVE.`,
    );
  };
  const rows = await Promise.all(
    waiting.map(async (request) => {
      const { code, problems } = await review(session.orgId, request);
      const who = request.displayName ? `${request.displayName} (${request.agentId})` : request.agentId;
      const codeInput = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', name: 'code', placeholder: '000-000-000-000-000' });
      const reasonInput = h('input', { type: 'text', name: 'reason', autocomplete: 'off' });
      const approve = async () => {
        // Typed or pasted: the whitespace around it is no part of the code.
        const typed = codeInput.value.trim();
        if (!isVerificationCodeShape(typed))
          throw new Refusal(`A verification code has 15 digits (groups of 3 may be separated by "-" or spaces); nothing was sent.`);
        await decide(request, 'APPROVE', { verificationCode: typed });
      };
      // Typed, so trimmed (the API refuses a reason with whitespace around it); blank is no reason.
      const rejectWith = (reason: string) => decide(request, 'REJECT', reason ? { reason } : {});
      const decision =
        problems.length > 0
          ? h('p', { class: 'warn' }, `Do not approve: ${problems.join('; ')}. The server may have been tampered with.`)
          : h(
              'div',
              { class: 'decide', role: 'group', 'aria-label': `Decide on ${who}’s request` },
              field(`Code read out by ${request.agentId}`, codeInput),
              h('button', { type: 'button', class: 'primary', onclick: screen.act(approve) }, `Approve ${request.agentId}`),
              field(`Reason to reject ${request.agentId}`, reasonInput),
              h('button', { type: 'button', onclick: screen.act(() => rejectWith(reasonInput.value.trim())) }, `Reject ${request.agentId}`),
            );
      return [
        h('span', {}, agentView(request.agentId, request.displayName), request.email ? h('br') : null, request.email ?? null),
        h(
          'span',
          {},
          h('span', { class: 'mono', title: request.fingerprint }, `${request.fingerprint.slice(0, 16)}…`),
          // R8: approving revokes the requester's ACTIVE key; they may not know another asks in their name.
          request.replacesFingerprint
            ? h(
                'span',
                { class: 'hint', 'data-testid': 'replaces' },
                h('br'),
                'Replaces ACTIVE key ',
                h('span', { class: 'mono', title: request.replacesFingerprint }, `${request.replacesFingerprint.slice(0, 16)}…`),
                ': approving revokes it',
              )
            : null,
        ),
        h('time', { datetime: request.requestedAt }, request.requestedAt),
        // R20: by the org's policy now; past it nobody can decide the request (the server leaves it out).
        request.expiresAt ? h('time', { datetime: request.expiresAt, 'data-testid': 'expires-at' }, request.expiresAt) : null,
        h('span', { 'data-testid': 'approvals' }, approvalsLabel(request) ?? ''),
        h('span', {}, codeView(code), request.failedAttempts ? h('span', { class: 'hint' }, ` (${request.failedAttempts} wrong so far)`) : null),
        decision,
      ];
    }),
  );
  return [
    h('h1', {}, 'Pending keys'),
    h('p', {}, 'Ask the requester to read their verification code out to you over a channel you trust (phone, in person). Approve only if it is the code shown here, computed in this browser from the requested key.'),
    rows.length
      ? table(`${rows.length} key request(s) waiting, oldest first`, ['Requester', 'Fingerprint', 'Waiting since', 'Expires', 'Approvals', 'Code to hear', 'Decision'], rows)
      : h('p', { 'data-testid': 'no-pending' }, 'No key request is waiting.'),
  ];
}
