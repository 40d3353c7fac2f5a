import type { Role } from '../shared/roles';
import type { OrgPolicy } from './org-policy.schema';

export type { OrgPolicy } from './org-policy.schema';

const HOUR = 60 * 60 * 1000;

/** The product defaults (R20): a bank would set adminKeyApprovals 2. */
export const DEFAULT_ORG_POLICY: OrgPolicy = {
  firstKeyRequiresAdmin: true,
  memberKeyApprovals: 1,
  adminKeyApprovals: 1,
  recoveryDelayHours: 72,
  pendingRequestExpiryHours: 7 * 24,
  reminderAfterHours: 2 * 24,
};

/**
 * The policy an org has after a recorded one: fields recorded before they existed (orgs created
 * before R20 recorded only firstKeyRequiresAdmin) take the product default.
 */
export const effectivePolicy = (recorded: Partial<OrgPolicy>): OrgPolicy => ({
  ...DEFAULT_ORG_POLICY,
  ...Object.fromEntries(Object.entries(recorded).filter(([, value]) => value !== undefined)),
});

/** What of the policy the M-of-N rule reads. */
export type ApprovalPolicy = Pick<OrgPolicy, 'memberKeyApprovals' | 'adminKeyApprovals'>;

/** R20 M-of-N: how many distinct approvers the policy asks for a key of an agent with this role. */
export const approvalsRequired = (policy: ApprovalPolicy, role: Role): number =>
  role === 'ADMIN' || role === 'SUPER_ADMIN' ? policy.adminKeyApprovals : policy.memberKeyApprovals;

/** Policy durations as milliseconds, for rules that compare instants. */
export const hoursToMs = (value: number): number => value * HOUR;

/**
 * The fields whose change can weaken a safeguard, and when it does: fewer approvals activate a key
 * (M-of-N), or the approvers have less time to veto a break-glass recovery. firstKeyRequiresAdmin
 * is not among them: it rules the org's first key only, which exists before any policy change (a
 * change is signed by a SUPER_ADMIN's ACTIVE key). The request expiry and the reminder delay time
 * a request that the approvers were mailed about when it arrived, and guard nothing a lone
 * SUPER_ADMIN could get around.
 */
const WEAKENED_WHEN: Partial<Record<keyof OrgPolicy, (from: number, to: number) => boolean>> = {
  memberKeyApprovals: (from, to) => to < from,
  adminKeyApprovals: (from, to) => to < from,
  recoveryDelayHours: (from, to) => to < from,
};

/** A field an OrgPolicyChanged changed, from its `previous` value to its `policy` one. */
export interface PolicyFieldChange {
  field: keyof OrgPolicy;
  from: OrgPolicy[keyof OrgPolicy];
  to: OrgPolicy[keyof OrgPolicy];
  /** It lowers an approval threshold or shortens the recovery delay (see WEAKENED_WHEN). */
  weakens: boolean;
}

/** The fields a policy change changed, in the policy's order, each saying whether it weakens a safeguard. */
export function policyChanges(previous: OrgPolicy, policy: OrgPolicy): PolicyFieldChange[] {
  return (Object.keys(DEFAULT_ORG_POLICY) as (keyof OrgPolicy)[])
    .filter((field) => previous[field] !== policy[field])
    .map((field) => {
      const [from, to] = [previous[field], policy[field]];
      const weakened = WEAKENED_WHEN[field];
      return { field, from, to, weakens: weakened !== undefined && typeof from === 'number' && typeof to === 'number' && weakened(from, to) };
    });
}
