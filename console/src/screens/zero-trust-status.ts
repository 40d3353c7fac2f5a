import { agentView, field, h, select, table } from '../dom';
import { describeTotals, KEY_STATUSES, type StatusPage } from '../../../src/cli/zero-trust-status-view';
import { ROLES } from '../../../src/domain/shared/roles';
import { perSession } from '../per-session';
import type { Screen } from '../ui';

/** Filters that survive a refresh of the screen, for this session only. */
const filtersOf = perSession(() => ({ role: '', keyStatus: '' }));

/** Zero-trust status of the org: every agent's key and prompt frequencies, with totals. */
export async function zeroTrustStatusScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api } = screen;
  const filters = filtersOf(screen.session);
  const role = select('role', ROLES, 'any role');
  const keyStatus = select('keyStatus', KEY_STATUSES, 'any key status');
  role.value = filters.role;
  keyStatus.value = filters.keyStatus;
  const results = h('div', {});
  const load = async (cursor?: string) => {
    const page = await api.get<StatusPage>(api.orgPath('zero-trust-status'), { ...filters, cursor, limit: '50' });
    results.replaceChildren(
      h('p', { 'data-testid': 'totals' }, page.totals ? describeTotals(page.totals) : ''),
      table(
        'Agents',
        ['Agent', 'Role', 'Key', 'Fingerprint', 'Approved by', 'Approved at', 'Prompt frequency per browser'],
        (page.agents ?? []).map((agent) => [
          agentView(agent.agentId, agent.displayName),
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
