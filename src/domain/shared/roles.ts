import { refuse } from './refusal';

export const ROLES = ['MEMBER', 'ADMIN', 'SUPER_ADMIN', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may approve, reject and revoke keys (R6, R9). */
export const isApproverRole = (role: Role): boolean => role === 'ADMIN' || role === 'SUPER_ADMIN';

export const AUDITOR_HOLDS_NO_KEY =
  'An AUDITOR reads and exports, changes nothing and performs no sensitive task, so holds no signature key and signs nothing (R18).';

/** R18: an AUDITOR holds no key and signs nothing. */
export const holdsNoKey = (role: Role | undefined): boolean => role === 'AUDITOR';

/** R18: every signing path (challenges, key requests, browsers, tasks) refuses an AUDITOR first. */
export function refuseAuditor(role: Role | undefined): void {
  if (holdsNoKey(role)) refuse('FORBIDDEN', 'AUDITOR_CANNOT_HOLD_KEY', AUDITOR_HOLDS_NO_KEY);
}
