import { field, h, table } from '../dom';
import type { Screen } from '../ui';

interface AuditEntry {
  eventId: string;
  position: number;
  type: string;
  actor: string;
  subject?: string | null;
  occurredAt: string;
}

const NAMES = ['from', 'to', 'type', 'actor', 'subject'] as const;
type Filters = Record<(typeof NAMES)[number], string>;

const filters: Filters = { from: '', to: '', type: '', actor: '', subject: '' };

/** `datetime-local` holds a local time without zone: the API takes an instant. */
const instant = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

/** The audit log in log order, filtered by time, type, actor and subject. */
export async function auditLogScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api } = screen;
  const inputs = {
    from: h('input', { type: 'datetime-local', name: 'from' }),
    to: h('input', { type: 'datetime-local', name: 'to' }),
    type: h('input', { type: 'text', name: 'type', placeholder: 'e.g. KeyApproved' }),
    actor: h('input', { type: 'text', name: 'actor', placeholder: 'agent id' }),
    subject: h('input', { type: 'text', name: 'subject', placeholder: 'agent id' }),
  };
  for (const name of NAMES) inputs[name].value = filters[name];
  const results = h('div', {});
  const load = async (cursor?: string) => {
    const page = await api.get<{ items: AuditEntry[]; nextCursor?: string }>(api.orgPath('audit-log'), {
      from: instant(filters.from),
      to: instant(filters.to),
      type: filters.type,
      actor: filters.actor,
      subject: filters.subject,
      cursor,
      limit: '50',
    });
    results.replaceChildren(
      table(
        `${page.items.length} event(s)${page.nextCursor ? ', more on the next page' : ''}`,
        ['Position', 'When', 'Event', 'Actor', 'Subject'],
        page.items.map((entry) => [String(entry.position), h('time', { datetime: entry.occurredAt }, entry.occurredAt), entry.type, entry.actor, entry.subject ?? '–']),
      ),
      page.nextCursor ? h('button', { type: 'button', onclick: screen.act(() => load(page.nextCursor)) }, 'Next page') : h('span'),
    );
  };
  const apply = async () => {
    for (const name of NAMES) filters[name] = inputs[name].value.trim();
    await load();
  };
  await load();
  return [
    h('h1', {}, 'Audit log'),
    h(
      'form',
      { class: 'filters', 'aria-label': 'Filters', onsubmit: (event) => (event.preventDefault(), screen.act(apply)(event)) },
      field('From', inputs.from),
      field('To', inputs.to),
      field('Event type', inputs.type),
      field('Actor', inputs.actor),
      field('Subject', inputs.subject),
      h('button', { type: 'submit' }, 'Apply filters'),
    ),
    results,
  ];
}
