import { z } from 'zod';
import { refuse } from '../shared/refusal';

// The policy's zod shape, its bounds and the checks made with it, apart from org-policy.ts: the
// threads that only fold the log never load zod (org-policy.ts takes only the type from here).

/**
 * The bounds of the numeric fields. Approvers are few (they are visited one by one, R8, R12), so
 * a threshold beyond 10 is a typo; a recovery delay under a day would let a stolen operator token
 * act before anyone reads their mail; a request waits at most 90 days.
 */
export const POLICY_LIMITS = {
  memberKeyApprovals: { min: 1, max: 10 },
  adminKeyApprovals: { min: 1, max: 10 },
  recoveryDelayHours: { min: 24, max: 720 },
  pendingRequestExpiryHours: { min: 1, max: 2160 },
  reminderAfterHours: { min: 1, max: 720 },
} as const;

const bounded = (field: keyof typeof POLICY_LIMITS, unit: string, what: string) => {
  const { min, max } = POLICY_LIMITS[field];
  return z
    .number()
    .int({ message: `${field} is a whole number of ${unit}` })
    .min(min, { message: `${field} is at least ${min}` })
    .max(max, { message: `${field} is at most ${max}` })
    .describe(`${what} (${unit}, ${min}-${max})`);
};

/**
 * An org's lifecycle policy (R4, R20), field by field: the one table that the HTTP bodies, their
 * OpenAPI schema, the ORG_POLICY challenge (which binds every field) and the decider's bounds are
 * derived from. Durations are whole hours: every rule they drive is measured in hours or days.
 */
export const ORG_POLICY_FIELDS = {
  firstKeyRequiresAdmin: z.boolean().describe('R4: the first key of the org, granted without approval, must go to an ADMIN or SUPER_ADMIN'),
  memberKeyApprovals: bounded('memberKeyApprovals', 'approvers', 'R20 M-of-N: distinct approvers whose signed approvals activate a MEMBER\'s key'),
  adminKeyApprovals: bounded('adminKeyApprovals', 'approvers', 'R20 M-of-N: distinct approvers whose signed approvals activate an ADMIN\'s or SUPER_ADMIN\'s key'),
  recoveryDelayHours: bounded('recoveryDelayHours', 'hours', 'how long an operator break-glass recovery waits, vetoable, before it takes effect'),
  pendingRequestExpiryHours: bounded('pendingRequestExpiryHours', 'hours', 'how long a key request stays PENDING before it expires'),
  reminderAfterHours: bounded('reminderAfterHours', 'hours', 'how long a key request waits before its approvers are reminded (less than the expiry)'),
} as const;

export const orgPolicySchema = z.object(ORG_POLICY_FIELDS).strict();

export type OrgPolicy = z.infer<typeof orgPolicySchema>;

/** What is wrong with a policy, field by field; empty when it can be set. */
export function policyProblems(policy: OrgPolicy): { field: string; message: string }[] {
  const parsed = orgPolicySchema.safeParse(policy);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
  if (parsed.success && policy.reminderAfterHours >= policy.pendingRequestExpiryHours) {
    problems.push({ field: 'reminderAfterHours', message: 'approvers are reminded before a request expires: reminderAfterHours must be less than pendingRequestExpiryHours' });
  }
  return problems;
}

/** Refuses (UNPROCESSABLE, nothing written) a policy outside its bounds. */
export function requireValidPolicy(policy: OrgPolicy): void {
  const problems = policyProblems(policy);
  if (problems.length > 0) {
    refuse('UNPROCESSABLE', 'INVALID_POLICY', `The policy cannot be set: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}.`, { problems });
  }
}
