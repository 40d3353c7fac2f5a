import { randomUUID } from 'node:crypto';
import { emailJobId, type EmailJob } from '../../../src/notifications/email-job';

/** A verification code as KeyRequested carries it; no email may show it. */
export const SECRET_CODE = '4821 9377 0154 62';

/** An approval email job with a fresh event id. */
export function approvalJob(n = 1): Extract<EmailJob, { kind: 'KEY_APPROVED' }> {
  const eventId = randomUUID();
  const to = { agentId: `agent-${n}`, displayName: `Agent ${n}`, email: `agent-${n}@example.com` };
  return {
    id: emailJobId(eventId, to.agentId),
    eventId,
    occurredAt: new Date().toISOString(),
    org: { orgId: 'acme', name: 'Acme Support' },
    to,
    request: { requestId: randomUUID(), requester: to, fingerprint: 'ab'.repeat(32) },
    kind: 'KEY_APPROVED',
    mode: 'APPROVAL',
    approvedBy: { agentId: 'boss', displayName: 'Bea Boss' },
  };
}
