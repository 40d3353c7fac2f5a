import { fingerprint } from '../../../src/crypto/public-key';
import { verificationCode } from '../../../src/crypto/verification-code';

/**
 * A key request of bob's in org-1 as API v1 shows it (GET .../key-requests/{requestId}), holding
 * `publicKey` with its own fingerprint and code, PENDING unless `changes` say otherwise.
 */
export const keyRequestAnswer = (requestId: string, publicKey: string, changes: Record<string, unknown> = {}) => ({
  requestId,
  agentId: 'bob',
  status: 'PENDING',
  publicKey,
  fingerprint: fingerprint(publicKey),
  verificationCode: verificationCode('org-1', 'bob', publicKey),
  failedAttempts: 0,
  approvals: [],
  approvalsRequired: 1,
  requestedAt: new Date().toISOString(),
  remindAt: null,
  expiresAt: null,
  replacesFingerprint: null,
  history: [],
  ...changes,
});
