import { z } from 'zod';
import { dataShapes } from '../events/data-shapes';
import { instantSchema } from '../shared/instant.schema';
import { recordedProofSchema } from '../shared/signed-proof.schema';
import type { BrowserEvent } from './browser.events';
import { PROMPT_FREQUENCIES } from './prompt-frequency';

const ofBrowser = { agentId: z.string(), browserId: z.string() };
const frequency = z.enum(PROMPT_FREQUENCIES);

const frequencyChange = { ...ofBrowser, frequency, previous: frequency };
const frequencySet = z.strictObject({
  ...frequencyChange,
  reason: z.literal('SET'),
  keyFingerprint: z.string(),
  proof: recordedProofSchema,
  signedAt: instantSchema,
  changeId: z.string().optional(),
});
// Strict: a proof (or key, or signing time) on a LOGOUT is no member of it. The replay checks no
// signature on a LOGOUT, so one there would be read beside a verified log as a signed decision.
const loggedOut = z.strictObject({ ...frequencyChange, reason: z.literal('LOGOUT') });
const promptFrequencyChanged = z.discriminatedUnion('reason', [frequencySet, loggedOut]);
const taskAuthorization = { ...ofBrowser, task: z.string(), keyFingerprint: z.string(), validUntil: instantSchema, authorizationId: z.string().optional() };
const signedTask = z.strictObject({ ...taskAuthorization, method: z.literal('SIGNATURE'), proof: recordedProofSchema, signedAt: instantSchema });
// Strict: a signing time or proof on a REMEMBERED one is no member of it. The fold and the as-of
// query would read a signing time there as a new signature, which nobody made.
const rememberedTask = z.strictObject({ ...taskAuthorization, method: z.literal('REMEMBERED') });
const sensitiveTaskAuthorized = z.discriminatedUnion('method', [signedTask, rememberedTask]);

export const BROWSER_SHAPES = dataShapes<BrowserEvent>()({
  PromptFrequencyChanged: promptFrequencyChanged,
  SensitiveTaskAuthorized: sensitiveTaskAuthorized,
  SensitiveTaskRefused: z.strictObject({
    ...ofBrowser,
    task: z.string(),
    reason: z.enum(['PROMPT_REQUIRED', 'NO_ACTIVE_KEY', 'INVALID_SIGNATURE', 'AUDITOR_CANNOT_HOLD_KEY']),
  }),
});

/**
 * The schema versions before the current one that decode still reads, with the shape data had
 * then. Version 2 of each added only an optional member (a keyed request's id), so a version 1
 * record's data is read as it is.
 */
export const BROWSER_OLDER_SHAPES = {
  PromptFrequencyChanged: { 1: z.discriminatedUnion('reason', [frequencySet.omit({ changeId: true }), loggedOut]) },
  SensitiveTaskAuthorized: { 1: z.discriminatedUnion('method', [signedTask.omit({ authorizationId: true }), rememberedTask.omit({ authorizationId: true })]) },
};
