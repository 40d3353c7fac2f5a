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

/** Without a signature, the browser's remembered window (R11) must cover the task. */
export const sensitiveTaskSchema = bodySchema({
  browserId: idField('The browser the task is performed from', 'laptop-firefox'),
  task: textField('Name of the sensitive task, e.g. remote-control:device-42', 200),
  challengeId: challengeIdField().optional(),
  signature: signatureField().optional(),
});
export type SensitiveTaskBody = z.infer<typeof sensitiveTaskSchema>;
