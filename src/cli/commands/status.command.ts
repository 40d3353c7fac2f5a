import { ROLES } from '../../domain/shared/roles';
import { AgentSession } from '../agent-session';
import type { CommandSpec } from '../command-spec';
import { formatTable } from '../output';
import { fetchAllPages } from '../pagination';

const KEY_STATUSES = ['NONE', 'PENDING', 'ACTIVE', 'REJECTED', 'LOCKED', 'REVOKED'] as const;

interface AgentStatus {
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

interface StatusPage {
  agents?: AgentStatus[];
  totals?: Record<string, unknown>;
  nextCursor?: string;
}

/** Org totals, flattened ("keys.ACTIVE 2"), whatever their nesting. */
const flatten = (value: unknown, prefix = ''): string[] =>
  value !== null && typeof value === 'object'
    ? Object.entries(value).flatMap(([name, inner]) => flatten(inner, prefix ? `${prefix}.${name}` : name))
    : [`${prefix} ${String(value)}`];

export const statusCommand: CommandSpec = {
  path: ['status'],
  summary: 'Zero-trust status: every agent, their role, key and prompt frequencies (ADMIN, SUPER_ADMIN, AUDITOR)',
  options: {
    role: { type: 'string', valueName: 'role', choices: ROLES, description: 'only agents with this role' },
    'key-status': { type: 'string', valueName: 'status', choices: KEY_STATUSES, description: 'only agents whose key is in this status' },
  },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { items: agents, first } = await fetchAllPages(
      (cursor) =>
        session.api.get<StatusPage>(session.orgPath('zero-trust-status'), { role: input.strings.role, keyStatus: input.strings['key-status'], cursor }),
      (page) => page.agents,
    );
    const table = formatTable(
      ['AGENT', 'NAME', 'ROLE', 'KEY', 'FINGERPRINT', 'APPROVED BY', 'APPROVED AT', 'PROMPT FREQUENCY'],
      agents.map((agent) => [
        agent.agentId,
        agent.displayName,
        agent.role,
        agent.keyStatus,
        agent.fingerprint ? `${agent.fingerprint.slice(0, 16)}…` : undefined,
        agent.approvedBy,
        agent.approvedAt,
        Object.entries(agent.promptFrequencies ?? {})
          .map(([browser, frequency]) => `${browser}=${frequency}`)
          .join(' '),
      ]),
    );
    const totals = first.totals ? `\n\nTotals: ${flatten(first.totals).join(', ')}` : '';
    ctx.output.result(`${table}${totals}`, { agents, totals: first.totals });
  },
};
