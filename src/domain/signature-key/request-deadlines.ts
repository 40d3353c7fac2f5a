import { hoursToMs } from '../organization/org-policy';
import { refuse } from '../shared/refusal';
import { CLOCK_SKEW_TOLERANCE_MS } from '../shared/signed-proof';
import type { ExpireKeyRequest, RemindApprovers, RequestDeadlines } from './key.commands';
import type { KeyEvent } from './key.events';
import type { KeyRequestEntry, KeyState } from './key.state';
import { isoInstant } from '../../shared/iso-instant';
import { quoted } from '../../shared/quoted';

/**
 * R20: when a PENDING request expires and when its approvers are reminded, by the policy. They
 * count from the latest instant the request can have been made, which its own proof of possession
 * bounds: the challenge it answered is accepted until its expiry plus the tolerated skew (R15). So
 * no deadline acts early, and no time but the command's is read.
 */
export function deadlinesOf(request: Pick<KeyRequestEntry, 'challengeExpiresAt'>, policy: RequestDeadlines): { remindAt: string; expiresAt: string } {
  const from = isoInstant(request.challengeExpiresAt) + CLOCK_SKEW_TOLERANCE_MS;
  return {
    remindAt: new Date(from + hoursToMs(policy.reminderAfterHours)).toISOString(),
    expiresAt: new Date(from + hoursToMs(policy.pendingRequestExpiryHours)).toISOString(),
  };
}

/**
 * R17, R20: past its expiry a request is decided or granted by nobody, whether or not the
 * scheduler has recorded the expiry yet; `at` is when the decision is recorded.
 */
export function refuseExpired(request: Pick<KeyRequestEntry, 'challengeExpiresAt'>, policy: RequestDeadlines, at: string): void {
  const { expiresAt } = deadlinesOf(request, policy);
  if (isoInstant(at) >= isoInstant(expiresAt)) {
    refuse('CONFLICT', 'REQUEST_EXPIRED', `The key request expired at ${expiresAt} (the org's policy keeps a request PENDING ${policy.pendingRequestExpiryHours} hours): it can no longer be decided or granted, and the agent may request a key again.`, {
      expiresAt,
    });
  }
}

/** The request a deadline command is about: it must still be PENDING (another instance may have acted first). */
function pendingRequest(state: KeyState, requestId: string): KeyRequestEntry {
  const request = state.requests.get(requestId) ?? refuse('NOT_FOUND', 'REQUEST_NOT_FOUND', `Key request ${quoted(requestId)} does not exist.`);
  if (request.status !== 'PENDING') {
    refuse('CONFLICT', 'REQUEST_NOT_PENDING', `The key request is ${request.status}, not PENDING: no deadline applies to it any more.`, {
      requestStatus: request.status,
    });
  }
  return request;
}

export function expireKeyRequest(command: ExpireKeyRequest, state: KeyState): KeyEvent[] {
  const request = pendingRequest(state, command.requestId);
  const { expiresAt } = deadlinesOf(request, command.policy);
  if (command.now < expiresAt) refuse('CONFLICT', 'NOT_DUE', `The key request expires at ${expiresAt}, not before.`, { expiresAt });
  const expiryHours = command.policy.pendingRequestExpiryHours;
  return [{ type: 'KeyRequestExpired', data: { requestId: request.requestId, agentId: state.agentId as string, expiryHours } }];
}

export function remindApprovers(command: RemindApprovers, state: KeyState): KeyEvent[] {
  const request = pendingRequest(state, command.requestId);
  if (request.reminded) refuse('CONFLICT', 'ALREADY_REMINDED', 'The approvers were already reminded of this key request.');
  const { remindAt } = deadlinesOf(request, command.policy);
  if (command.now < remindAt) refuse('CONFLICT', 'NOT_DUE', `The approvers are reminded at ${remindAt}, not before.`, { remindAt });
  const reminderAfterHours = command.policy.reminderAfterHours;
  return [{ type: 'KeyRequestReminderSent', data: { requestId: request.requestId, agentId: state.agentId as string, reminderAfterHours } }];
}
