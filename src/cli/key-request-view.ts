import type { components } from './api-types.generated';

type Request = components['schemas']['KeyRequestView'];

/** A key request as the server shows it to approvers: a pending list item (PendingKeyView) or GET .../key-requests/{id}. */
export type KeyRequestView = Pick<Request, 'requestId' | 'agentId' | 'publicKey' | 'fingerprint' | 'verificationCode' | 'requestedAt' | 'failedAttempts'> &
  Partial<Pick<Request, 'status' | 'displayName' | 'email' | 'replacesFingerprint' | 'expiresAt' | 'approvals' | 'approvalsRequired'>>;

/** R20 M-of-N: how many of the threshold, and by whom (nothing once decided). */
export const approvalsLabel = (request: KeyRequestView): string | undefined =>
  request.approvals && typeof request.approvalsRequired === 'number'
    ? `${request.approvals.length}/${request.approvalsRequired}${request.approvals.length > 0 ? ` (${request.approvals.join(', ')})` : ''}`
    : undefined;

/** R20 M-of-N: what an approver is told when their approval is recorded and the key stays PENDING (CLI and console). */
export const approvalRecorded = (agentId: string, decided: { approvals?: readonly string[]; approvalsRequired?: number }): string =>
  `Your approval is recorded (${decided.approvals?.length ?? 0} of the ${decided.approvalsRequired ?? '?'} approvals the org's policy asks): ${agentId}'s key stays PENDING until other approvers approve it.`;
