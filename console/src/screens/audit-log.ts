import type { AuditFailure, AuditVerdict, OrgReport } from '../../../src/transparency/verifier/audit-verdict';
import { newerReleaseVerdict } from '../../../src/transparency/newer-release-verdict';
import { verifiedDespiteFailure } from '../../../src/transparency/verified-despite-failure';
import { requiredWitnesses, requireWitnesses, verifyExport, witnessedCheckpoint, type Cosigned, type VerificationProgress } from '../audit-verification';
import { field, h, table } from '../dom';
import type { Api } from '../api';
import { perSession } from '../per-session';
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

/** Kept while the screen is redrawn, for this session only. */
const filtersOf = perSession<Filters>(() => ({ from: '', to: '', type: '', actor: '', subject: '' }));

/** `datetime-local` holds a local time without zone: the API takes an instant. */
const instant = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

const short = (fingerprint: string): string => `${fingerprint.slice(0, 16)}…`;

/** The failure, then how far the export was verified, as `ztkeys audit verify` says it. */
const failureText = (failure: AuditFailure): string => {
  const { line, orgId, leafIndex, eventId, type, reason, newerRelease, unreadCheckpoints } = failure;
  const where = line === 0 ? 'the log as a whole' : `line ${line}${type ? ` (${type} ${eventId}${leafIndex !== undefined ? `, event index ${leafIndex} of org ${orgId}` : ''})` : ''}`;
  if (newerRelease) return `The audit log ${newerReleaseVerdict(where, reason, unreadCheckpoints)} ${verifiedDespiteFailure(failure)}`;
  return `The audit log is INVALID or TAMPERED. First problem at ${where}: ${reason} ${verifiedDespiteFailure(failure)}`;
};

/**
 * What the export proves of the org, as `ztkeys audit verify` says it: events no checkpoint signs
 * yet are checked, but the log key vouches for none of them (whoever serves or holds the file may
 * have added them), so they are not called verified.
 */
function headline(org: OrgReport): string {
  const { events, uncovered, lastCheckpoint } = org;
  if (!lastCheckpoint) return `NOT verified: none of the ${events} events is signed by a checkpoint yet. Verify again in a few seconds, once the server has signed them.`;
  const signed = `checkpoint ${lastCheckpoint.size}${lastCheckpoint.timestamp ? ` signed at ${lastCheckpoint.timestamp}` : ''}`;
  if (uncovered === 0) return `Verified: ${events} events, up to ${signed}.`;
  const after = uncovered === 1 ? '1 event after it is' : `${uncovered} events after it are`;
  return `Verified up to ${signed}, NOT past it: ${after} signed by no checkpoint yet, so nothing vouches for what ${uncovered === 1 ? 'it says' : 'they say'}. Verify again in a few seconds, once the server has signed ${uncovered === 1 ? 'it' : 'them'}.`;
}

/** A verdict in the warning's colour: the log refused, or not verified. */
const warningVerdict = (text: string): HTMLElement => h('p', { class: 'warn', 'data-testid': 'audit-verdict' }, text);

const cosignedText = ({ size, by, of, quorum }: Cosigned): string =>
  `Cosigned by ${by} of ${of} witness(es) you require (quorum ${quorum}): the server's checkpoint of size ${size} is the history they saw, and this export extends it.`;

/** The verdict as the CLI's `audit verify` states it: what is covered by a signed checkpoint, and who holds ACTIVE keys by whose approval. */
function verdictView(verdict: AuditVerdict, orgId: string, cosigned?: Cosigned): HTMLElement {
  if (!verdict.ok) return warningVerdict(failureText(verdict.failure!));
  const org = verdict.orgs.find((candidate) => candidate.orgId === orgId);
  const keptSize = cosigned ? cosigned.kept : org?.trustedCheckpoint?.size;
  if (!org) return h('p', { class: 'warn', 'data-testid': 'audit-verdict' }, 'The export holds no event of this organization.');
  return h(
    'section',
    { 'aria-labelledby': 'verdict-title' },
    h('h3', { id: 'verdict-title', class: org.uncovered > 0 ? 'warn' : 'ok', 'data-testid': 'audit-verdict' }, headline(org)),
    h(
      'ul',
      {},
      cosigned ? h('li', { 'data-testid': 'audit-cosigned' }, cosignedText(cosigned)) : null,
      // With witnesses the export's trusted checkpoint is the cosigned one; the one kept was checked against it by a consistency proof.
      keptSize !== undefined ? h('li', { 'data-testid': 'audit-witness' }, `Extends the checkpoint of size ${keptSize} this browser verified before: no history was rewritten.`) : null,
      h('li', {}, `Root of the ${org.events} events: `, h('span', { class: 'mono' }, org.rootHash)),
      h('li', {}, 'First key: ', h('span', { class: 'mono' }, org.firstKey ? short(org.firstKey) : '–')),
    ),
    table(
      'Keys ACTIVE at the end, each with its approval chain back to the first key',
      ['Agent', 'Role', 'Fingerprint', 'Approval chain'],
      org.activeKeys.map((key) => [
        key.agentId,
        key.role ?? 'removed',
        h('span', { class: 'mono', title: key.fingerprint }, short(key.fingerprint)),
        key.chain.map((link) => (link.mode === 'FIRST_KEY' ? `${link.agentId} (first key)` : `${link.agentId} ${link.mode} by ${link.approvedBy}`)).join(' ← '),
      ]),
    ),
  );
}

const requiredText = (quorum?: number): string =>
  `Required: the cosignatures of ${quorum === undefined ? 'every one' : quorum} of the witness keys above. A verification without them is refused, and keeps nothing.`;
const NONE_REQUIRED = 'No witness required: an operator holding the log key could show this browser a history others do not see (a fork), and it would verify.';

/**
 * "Require shared witnesses": the verifier keys the user pastes (as `npm run witness -- key`
 * prints them, from the witnesses' operators, never from this server) and the quorum, kept per org
 * in this browser. The keys are checked when verifying, by the CLI's code, in the worker.
 */
function witnessSetting(screen: Screen): HTMLElement {
  const { session } = screen;
  const required = requiredWitnesses(session);
  const keys = h('textarea', { name: 'witness-keys', rows: '3', autocomplete: 'off', spellcheck: 'false' });
  keys.value = required?.keys ?? '';
  const quorum = h('input', { type: 'number', name: 'witness-quorum', min: '1', step: '1', placeholder: 'all' });
  quorum.value = required?.quorum === undefined ? '' : String(required.quorum);
  const status = h('p', { 'data-testid': 'witness-requirement', 'aria-live': 'polite' }, required ? requiredText(required.quorum) : NONE_REQUIRED);
  const save = (event: Event) => {
    event.preventDefault();
    const [text, count] = [keys.value.trim(), quorum.value.trim()];
    if (count !== '' && !/^[1-9][0-9]*$/.test(count)) return status.replaceChildren('Not saved: the quorum is a whole number from 1 (empty: every witness).');
    const next = text === '' ? undefined : { keys: text, ...(count !== '' && { quorum: Number(count) }) };
    requireWitnesses(session, next);
    status.replaceChildren(next ? requiredText(next.quorum) : NONE_REQUIRED);
  };
  return h(
    'form',
    { 'aria-labelledby': 'witnesses-title', onsubmit: save },
    h('h3', { id: 'witnesses-title' }, 'Require shared witnesses'),
    field('Witness verifier keys', keys, 'One or more, separated by lines or commas, as `npm run witness -- key` prints each: get them from the witnesses’ operators, not from this server. Empty: no witness required.'),
    field('Quorum', quorum, 'How many of them must have cosigned the checkpoint (empty: every one).'),
    h('button', { type: 'submit' }, 'Save the witnesses'),
    status,
  );
}

const CANCELLED = 'Verification cancelled: nothing was verified, and this browser keeps nothing from it.';

/**
 * "Verify the audit log": the org's export and the log key, checked by the CLI's verifier in a
 * worker. The page stays usable meanwhile: it shows the lines checked so far, and Cancel ends the
 * worker. The progress sits outside the live region, which announces the start and the verdict only.
 */
function verification(screen: Screen): HTMLElement {
  const { api, session } = screen;
  const result = h('div', { 'aria-live': 'polite', tabindex: '-1' });
  const running = h('div', {});
  const verify = async () => {
    const cancel = new AbortController();
    const status = h('span', {}, 'Downloading the export…');
    const progress = h('progress', { 'data-testid': 'audit-progress', 'aria-label': 'Lines of the export checked' });
    const shown = ({ read, lines, of }: VerificationProgress) => {
      if (!progress.isConnected) status.before(progress, ' ');
      progress.max = of;
      progress.value = lines;
      status.replaceChildren(`${lines} of ${of} lines checked${read === 2 ? ' (second read, which a checkpoint far behind its events asks for)' : ''}`);
    };
    // Another screen replaces this one: its worker is ended rather than left checking for nobody.
    const leave = () => cancel.abort();
    window.addEventListener('hashchange', leave);
    result.replaceChildren(h('p', {}, 'Verifying…'));
    running.replaceChildren(h('p', {}, status), h('button', { type: 'button', onclick: () => cancel.abort() }, 'Cancel the verification'));
    try {
      const required = requiredWitnesses(session);
      // The cosigned checkpoint first: the export, fetched after it, must extend it.
      const witnessed = required && (await witnessedCheckpoint(api, session, required));
      if (witnessed && 'refused' in witnessed) return result.replaceChildren(warningVerdict(witnessed.refused));
      const [logKey, exported] = await Promise.all([api.getText('/v1/log-key'), api.getBytes(api.orgPath('audit-log', 'export'), cancel.signal)]);
      const outcome = await verifyExport(session, logKey, exported, shown, cancel.signal, witnessed);
      result.replaceChildren('refused' in outcome ? warningVerdict(outcome.refused) : verdictView(outcome.verdict, session.orgId, outcome.cosigned));
    } catch (error) {
      if (!cancel.signal.aborted) {
        result.replaceChildren();
        throw error;
      }
      result.replaceChildren(h('p', {}, CANCELLED));
    } finally {
      window.removeEventListener('hashchange', leave);
      // Cancel goes with the progress: a keyboard user who pressed it lands on what came of it.
      const focused = running.contains(document.activeElement);
      running.replaceChildren();
      if (focused) result.focus();
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'verify-title' },
    h('h2', { id: 'verify-title' }, 'Verify the audit log'),
    h(
      'p',
      {},
      'Downloads the whole log of this organization and checks it here, as `ztkeys audit verify` does: the Merkle tree against every signed checkpoint, and every signed statement. The last verified checkpoint is kept in this browser: next time the log must extend it.',
    ),
    witnessSetting(screen),
    h('button', { type: 'button', onclick: screen.act(verify) }, 'Verify the audit log'),
    result,
    running,
  );
}

const PAGE = 50;
/**
 * Requests one search makes at most. A page of filters no one index serves together (two of type,
 * actor, subject; a time range) examines at most 1,000 events of the log and may come back short,
 * even empty, with a cursor: the screen asks on until its page is full, the log ends or this many
 * requests were made (each counts against the API's per-address limit).
 */
const PAGES_PER_SEARCH = 10;

/** One screen's page of the filtered log, from `cursor`, and the cursor after it. */
async function searchPage(api: Api, filters: Filters, cursor: string | undefined): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
  const items: AuditEntry[] = [];
  let next = cursor;
  for (let request = 0; request < PAGES_PER_SEARCH && items.length < PAGE; request++) {
    const page = await api.get<{ items: AuditEntry[]; nextCursor?: string }>(api.orgPath('audit-log'), {
      from: instant(filters.from),
      to: instant(filters.to),
      type: filters.type,
      actor: filters.actor,
      subject: filters.subject,
      cursor: next,
      limit: String(PAGE - items.length),
    });
    items.push(...page.items);
    next = page.nextCursor;
    if (next === undefined) break;
  }
  return { items, nextCursor: next };
}

/** The audit log in log order, filtered by time, type, actor and subject. */
export async function auditLogScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api } = screen;
  const filters = filtersOf(screen.session);
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
    const { items, nextCursor } = await searchPage(api, filters, cursor);
    results.replaceChildren(
      table(
        items.length === 0 && nextCursor
          ? 'No matching event in the part of the log searched so far; more of it is left to search'
          : `${items.length} event(s)${nextCursor ? ', more on the next page' : ''}`,
        ['Position', 'When', 'Event', 'Actor', 'Subject'],
        items.map((entry) => [String(entry.position), h('time', { datetime: entry.occurredAt }, entry.occurredAt), entry.type, entry.actor, entry.subject ?? '–']),
      ),
      nextCursor ? h('button', { type: 'button', onclick: screen.act(() => load(nextCursor)) }, items.length === 0 ? 'Search further' : 'Next page') : h('span'),
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
    verification(screen),
  ];
}
