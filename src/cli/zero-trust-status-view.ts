import type { components } from './api-types.generated';
import { sentence } from '../shared/hidden-characters';

/** GET …/zero-trust-status as clients (the CLI, the web console) read it. */
export type StatusPage = components['schemas']['ZeroTrustStatusView'];

export const KEY_STATUSES = ['NONE', 'PENDING', 'ACTIVE', 'REJECTED', 'LOCKED', 'EXPIRED', 'REVOKED'] as const;

/** Org totals as a sentence; key statuses other than ACTIVE, PENDING and NONE follow when present. */
export function describeTotals(totals: NonNullable<StatusPage['totals']>): string {
  const others = Object.entries(totals.byKeyStatus ?? {})
    .filter(([status, count]) => !['ACTIVE', 'PENDING', 'NONE'].includes(status) && count > 0)
    .map(([status, count]) => sentence`${count} ${status}`);
  return [`${totals.agents} agents`, `${totals.withActiveKey} with an ACTIVE key`, `${totals.pending} PENDING`, `${totals.none} without a key`, ...others].join(', ');
}
