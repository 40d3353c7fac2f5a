export const ROLES = ['MEMBER', 'ADMIN', 'SUPER_ADMIN', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may approve, reject and revoke keys (R6, R9). */
export const isApproverRole = (role: Role): boolean => role === 'ADMIN' || role === 'SUPER_ADMIN';
