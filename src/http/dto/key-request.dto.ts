import { z } from 'zod';
import { bodySchema } from './body-schema';
import { challengeIdField, publicKeyField, signatureField, textField } from './fields';
import { MAX_VERIFICATION_CODE_LENGTH, VERIFICATION_CODE_SHAPE } from '../../crypto/verification-code-derivation';

export const createKeyRequestSchema = bodySchema({
  publicKey: publicKeyField(),
  challengeId: challengeIdField(),
  signature: signatureField(),
  replacePending: z.boolean().default(false).describe('R7: cancel my PENDING request and make this one instead'),
});
export type CreateKeyRequestBody = z.infer<typeof createKeyRequestSchema>;

const VERIFICATION_CODE_RULE = 'verificationCode must be 15 digits, optionally grouped with spaces or dashes';

export const approveKeyRequestSchema = bodySchema({
  // Exactly 15 digits: a text that is no code must count no wrong attempt toward R5's lock.
  verificationCode: z
    .string()
    .max(MAX_VERIFICATION_CODE_LENGTH, { message: VERIFICATION_CODE_RULE, abort: true })
    .regex(VERIFICATION_CODE_SHAPE, { message: VERIFICATION_CODE_RULE })
    .meta({ description: 'The code the requester read out to you (15 digits; spaces or dashes allowed)', example: '123-456-789-012-345' }),
  challengeId: challengeIdField(),
  signature: signatureField(),
});
export type ApproveKeyRequestBody = z.infer<typeof approveKeyRequestSchema>;

export const rejectKeyRequestSchema = bodySchema({
  reason: textField('Why the request is rejected (recorded in the audit log)', 500, 'lines').optional(),
  challengeId: challengeIdField(),
  signature: signatureField(),
});
export type RejectKeyRequestBody = z.infer<typeof rejectKeyRequestSchema>;

export const revokeKeySchema = bodySchema({
  reason: textField('Why the key is revoked (recorded in the audit log)', 500, 'lines'),
});
export type RevokeKeyBody = z.infer<typeof revokeKeySchema>;
