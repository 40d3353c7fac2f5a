import { z } from 'zod';
import { PROMPT_FREQUENCIES } from '../../domain/browser/browser.events';
import { bodySchema } from './body-schema';
import { challengeIdField, idField, signatureField, textField } from './fields';

export const setPromptFrequencySchema = bodySchema({
  frequency: z.enum(PROMPT_FREQUENCIES),
  challengeId: challengeIdField(),
  signature: signatureField(),
});
export type SetPromptFrequencyBody = z.infer<typeof setPromptFrequencySchema>;

const HALF_A_PROOF = 'challengeId and signature go together: send both for a signed task, or neither for one the browser\'s remembered window covers';

/**
 * Without a signature, the browser's remembered window (R11) must cover the task. Half a proof is
 * bad input (400, nothing recorded): a challengeId alone was recorded as a refused task whose
 * signature does not verify, and a signature alone was dropped unread for a PROMPT_REQUIRED.
 */
export const sensitiveTaskSchema = bodySchema({
  browserId: idField('The browser the task is performed from', 'laptop-firefox'),
  task: textField('Name of the sensitive task, e.g. remote-control:device-42', 200),
  challengeId: challengeIdField('challengeId of a SENSITIVE_TASK challenge from POST /v1/orgs/{orgId}/challenges; with signature, or neither').optional(),
  signature: signatureField('Ed25519 signature over the challenge statement (UTF-8) by your ACTIVE key, base64url without padding (86 characters); with challengeId, or neither').optional(),
})
  .refine((body) => body.challengeId === undefined || body.signature !== undefined, { path: ['signature'], message: HALF_A_PROOF })
  .refine((body) => body.signature === undefined || body.challengeId !== undefined, { path: ['challengeId'], message: HALF_A_PROOF });
export type SensitiveTaskBody = z.infer<typeof sensitiveTaskSchema>;
