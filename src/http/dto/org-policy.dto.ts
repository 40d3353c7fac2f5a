import type { z } from 'zod';
import { orgPolicySchema } from '../../domain/organization/org-policy.schema';
import { bodySchema } from './body-schema';
import { challengeIdField, signatureField } from './fields';

/** The body of PUT .../policy: the whole new policy, and the signature over its ORG_POLICY challenge. */
export const changeOrgPolicySchema = bodySchema({
  policy: orgPolicySchema.describe('The whole new policy: the ORG_POLICY challenge binds every field'),
  challengeId: challengeIdField('challengeId of an ORG_POLICY challenge binding this policy'),
  signature: signatureField('Ed25519 signature of the challenge statement by your ACTIVE key'),
});
export type ChangeOrgPolicyBody = z.infer<typeof changeOrgPolicySchema>;
