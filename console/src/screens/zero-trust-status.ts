import { field, h, select, table } from '../dom';
import type { Screen } from '../ui';

const ROLES = ['MEMBER', 'ADMIN', 'SUPER_ADMIN', 'AUDITOR'];
const KEY_STATUSES = ['NONE', 'PENDING', 'ACTIVE', 'REJECTED', 'LOCKED', 'REVOKED'];

interface AgentStatus {
  agentId: string;
  displayName?: string;
  role: string;
  keyStatus: string;
  fingerprint?: string | null;
  approvedBy?: string | null;
  approvedAt?: string | null;
  promptFrequencies?: Record<string, string>;
}

interface StatusPage {
  agents: AgentStatus[];
  totals: { agents: number; withActiveKey: number; pending: number; none: number; byKeyStatus: Record<string, number> };
  nextCursor?: string;
}

/** Filters that survive a refresh of the screen. */
const filters = { role: '', keyStatus: '' };

/** Zero-trust status of the org: every agent's key and prompt frequencies, with totals. */
export async function zeroTrustStatusScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api } = screen;
  const role = select('role', ROLES, 'any role');
  const keyStatus = select('keyStatus', KEY_STATUSES, 'any key status');
  role.value = filters.role;
  keyStatus.value = filters.keyStatus;
  const results = h('div', {});
  const load = async (cursor?: string) => {
    const page = await api.get<StatusPage>(api.orgPath('zero-trust-status'), { ...filters, cursor, limit: '50' });
    const { totals } = page;
    const others = Object.entries(totals.byKeyStatus)
      .filter(([status, count]) => !['ACTIVE', 'PENDING', 'NONE'].includes(status) && count > 0)
      .map(([status, count]) => `${count} ${status}`);
    results.replaceChildren(
      h('p', { 'data-testid': 'totals' }, [`${totals.agents} agents`, `${totals.withActiveKey} with an ACTIVE key`, `${totals.pending} PENDING`, `${totals.none} without a key`, ...others].join(', ')),
      table(
        'Agents',
        ['Agent', 'Role', 'Key', 'Fingerprint', 'Approved by', 'Approved at', 'Prompt frequency per browser'],
        page.agents.map((agent) => [
          agent.displayName ? `${agent.displayName} (${agent.agentId})` : agent.agentId,
          agent.role,
          agent.keyStatus,
          agent.fingerprint ? h('span', { class: 'mono', title: agent.fingerprint }, `${agent.fingerprint.slice(0, 16)}…`) : '–',
          agent.approvedBy ?? '–',
          agent.approvedAt ?? '–',
          Object.entries(agent.promptFrequencies ?? {})
            .map(([browser, frequency]) => `${browser}: ${frequency}`)
            .join(', ') || '–',
        ]),
      ),
      page.nextCursor ? h('button', { type: 'button', onclick: screen.act(() => load(page.nextCursor)) }, 'Next page') : h('span'),
    );
  };
  const apply = async () => {
    filters.role = role.value;
    filters.keyStatus = keyStatus.value;
    await load();
  };
  await load();
  return [
    h('h1', {}, 'Zero-trust status'),
    h('form', { class: 'filters', 'aria-label': 'Filters', onsubmit: (event) => (event.preventDefault(), screen.act(apply)(event)) }, field('Role', role), field('Key status', keyStatus), h('button', { type: 'submit' }, 'Apply filters')),
    results,
  ];
}
