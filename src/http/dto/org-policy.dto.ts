import { z } from 'zod';
import { orgPolicySchema, type OrgPolicy } from '../../domain/organization/org-policy';

/** The body of PUT .../policy: the whole new policy, and the signature over its ORG_POLICY challenge. */
export const changeOrgPolicySchema = z
  .object({
    policy: orgPolicySchema.describe('The whole new policy: the ORG_POLICY challenge binds every field'),
    challengeId: z.string().min(1).max(4096).describe('challengeId of an ORG_POLICY challenge binding this policy'),
    signature: z
      .string()
      .length(86, { message: 'signature must be 86 base64url characters (a 64-byte Ed25519 signature)' })
      .regex(/^[A-Za-z0-9_-]+$/, { message: 'signature must be base64url without padding' })
      .describe('Ed25519 signature of the challenge statement by your ACTIVE key'),
  })
  .strict();

export type ChangeOrgPolicyBody = { policy: OrgPolicy; challengeId: string; signature: string };

/** Its OpenAPI schema, derived from the same zod schema as its validation. */
export const CHANGE_ORG_POLICY_BODY_SCHEMA = z.toJSONSchema(changeOrgPolicySchema, { target: 'openapi-3.0' }) as Record<string, unknown>;
