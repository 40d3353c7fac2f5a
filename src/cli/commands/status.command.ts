import { ROLES } from '../../domain/shared/roles';
import { AgentSession } from '../agent-session';
import { declaredMembers } from '../api-answers';
import type { components } from '../api-types.generated';
import { choice } from '../choice';
import type { CommandSpec } from '../command-spec';
import { formatTable } from '../output';
import { fetchAllPages } from '../pagination';
import { describeTotals, KEY_STATUSES, type StatusPage } from '../zero-trust-status-view';

export const statusCommand: CommandSpec = {
  path: ['status'],
  summary: 'Zero-trust status: every agent, their role, key and prompt frequencies (ADMIN, SUPER_ADMIN, AUDITOR)',
  options: {
    role: { type: 'string', valueName: 'role', choices: ROLES, description: 'only agents with this role' },
    'key-status': { type: 'string', valueName: 'status', choices: KEY_STATUSES, description: 'only agents whose key is in this status' },
  },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const role = input.strings.role === undefined ? undefined : choice(ROLES, input.strings.role);
    const keyStatus = input.strings['key-status'] === undefined ? undefined : choice(KEY_STATUSES, input.strings['key-status']);
    const { items: agents, first } = await fetchAllPages(
      (cursor) =>
        session.api.ok(session.api.http.GET('/v1/orgs/{orgId}/zero-trust-status', { params: { path: session.org, query: { role, keyStatus, cursor } } })),
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
    const totals = first.totals ? `\n\nTotals: ${describeTotals(first.totals)}` : '';
    ctx.output.result(`${table}${totals}`, { agents, totals: first.totals }, declaredMembers('AgentStatusView'));
  },
};
