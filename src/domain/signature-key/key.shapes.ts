import { z } from 'zod';
import { dataShapes } from '../events/data-shapes';
import { publicKeySchema, recordedProofSchema } from '../shared/signed-proof.schema';
import { KEY_RELEASE_REASONS, type KeyEvent } from './key.events';

const ofRequest = { requestId: z.string(), agentId: z.string() };
const count = z.number().int().nonnegative();
const approvedKey = { ...ofRequest, publicKey: publicKeySchema, fingerprint: z.string() };

export const KEY_SHAPES = dataShapes<KeyEvent>()({
  KeyRequested: z.strictObject({
    ...ofRequest,
    publicKey: publicKeySchema,
    fingerprint: z.string(),
    verificationCode: z.string(),
    proof: recordedProofSchema,
    replacesFingerprint: z.string().optional(),
  }),
  // Strict by mode: an approver or decision where nobody signed one, a recovery where none granted
  // it, would be read beside a verified log as what the key was approved by.
  KeyApproved: z.discriminatedUnion('mode', [
    z.strictObject({ ...approvedKey, mode: z.literal('FIRST_KEY') }),
    z.strictObject({ ...approvedKey, mode: z.enum(['APPROVAL', 'ROTATION']), approvedBy: z.string(), decision: recordedProofSchema }),
    z.strictObject({ ...approvedKey, mode: z.literal('RECOVERY'), recoveryId: z.string() }),
  ]),
  KeyApprovalRecorded: z.strictObject({ ...ofRequest, approvedBy: z.string(), approvals: z.array(z.string()), required: count, decision: recordedProofSchema }),
  KeyRejected: z.strictObject({ ...ofRequest, rejectedBy: z.string(), reason: z.string().optional(), decision: recordedProofSchema }),
  KeyApprovalAttemptFailed: z.strictObject({
    ...ofRequest,
    attemptedBy: z.string(),
    failure: z.literal('VERIFICATION_CODE_MISMATCH'),
    failedAttempts: count,
    attemptsLeft: count,
    nonce: z.string(),
    decision: recordedProofSchema,
  }),
  KeyRequestLocked: z.strictObject({ ...ofRequest, failedAttempts: count }),
  KeyRequestCancelled: z.strictObject({ ...ofRequest, reason: z.enum(['REPLACED_BY_NEW_REQUEST', ...KEY_RELEASE_REASONS]), cancelledBy: z.string() }),
  KeyRevoked: z.strictObject({
    ...ofRequest,
    fingerprint: z.string(),
    reasonCode: z.enum(['REPLACED', 'REVOKED_BY_ADMIN', ...KEY_RELEASE_REASONS]),
    reason: z.string(),
    revokedBy: z.string(),
  }),
  KeyRequestExpired: z.strictObject({ ...ofRequest, expiryHours: count }),
  KeyRequestReminderSent: z.strictObject({ ...ofRequest, reminderAfterHours: count }),
});
