/** GET …/zero-trust-status as clients (the CLI, the web console) read it. */

export const KEY_STATUSES = ['NONE', 'PENDING', 'ACTIVE', 'REJECTED', 'LOCKED', 'REVOKED'] as const;

export interface AgentStatus {
  agentId: string;
  displayName?: string;
  email?: string;
  role: string;
  keyStatus: string;
  fingerprint?: string | null;
  approvedBy?: string | null;
  approvedAt?: string | null;
  promptFrequencies?: Record<string, string>;
}

export interface StatusPage {
  agents?: AgentStatus[];
  totals?: { agents: number; withActiveKey: number; pending: number; none: number; byKeyStatus?: Record<string, number> };
  nextCursor?: string;
}

/** Org totals as a sentence; key statuses other than ACTIVE, PENDING and NONE follow when present. */
export function describeTotals(totals: NonNullable<StatusPage['totals']>): string {
  const others = Object.entries(totals.byKeyStatus ?? {})
    .filter(([status, count]) => !['ACTIVE', 'PENDING', 'NONE'].includes(status) && count > 0)
    .map(([status, count]) => `${count} ${status}`);
  return [`${totals.agents} agents`, `${totals.withActiveKey} with an ACTIVE key`, `${totals.pending} PENDING`, `${totals.none} without a key`, ...others].join(', ');
}
