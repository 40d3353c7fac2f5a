/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { envelope } from '../../src/application/command-context';
import type { OrganizationCommand } from '../../src/domain/organization/organization.commands';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import { orgStream } from '../../src/domain/streams';
import { consoleBuilt } from '../../src/http/console-static';
import { newId } from '../../src/shared/ids';
import { startTestServer, type TestServer } from '../support/test-server';
import { launchChromium } from './browser';
import { serverApi } from './server-api';

/**
 * The audit screen searching with filters that match little of a large log: the server answers
 * such a page after examining at most 1,000 events, maybe with nothing in it and a cursor. The
 * screen asks on until it has something to show (or has asked ten times) rather than showing the
 * user an empty page to click through.
 */
jest.setTimeout(180_000);

/** Just past the 1,000 events a page examines (AUDIT_PAGE_SCAN): the API's first answer, checked below, is then empty. */
const AGENTS = 1001;

describe('web console: audit log search where filters match little (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let orgId: string;
  const api = serverApi(() => server);

  /**
   * The commands of `actor`, one command (its own id, its own events) each, decided by the org's
   * decider and appended to the org stream in one append: what 1,001 HTTP calls would append,
   * without the round trips (the count of events is what matters here, not the route).
   */
  const decideAll = async (actor: string, commands: OrganizationCommand[]) => {
    const stream = orgStream(orgId);
    const stored = await server.eventStore.readStream(stream);
    let state = stored.reduce((folded, event) => organizationDecider.evolve(folded, event as never), organizationDecider.initialState);
    const events = commands.flatMap((command) => {
      const decided = organizationDecider.decide(command, state).events;
      for (const event of decided) state = organizationDecider.evolve(state, event);
      const commandId = newId();
      return envelope(decided, { actor, orgId, correlationId: commandId, commandId, now: new Date() });
    });
    await server.eventStore.append([{ stream, expected: stored.at(-1)!.revision, events }]);
  };

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    server = await startTestServer();
    ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice' } }));
    const alice = await server.token(orgId, 'alice');
    await api('POST', `/v1/orgs/${orgId}/agents`, alice, { agentId: 'carol', email: 'carol@acme.test', displayName: 'Carol', role: 'SUPER_ADMIN' });
    const carol = await server.token(orgId, 'carol');
    const agents = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
    // Alice adds them all, then Carol changes each one's role, then Carol adds one agent (through
    // the API, which folds the org's log as it stands): of the log's AgentAdded events and of
    // Carol's events, one is both, at the end.
    await decideAll('alice', agents.map((agentId) => ({ type: 'AddAgent', actorId: 'alice', agent: { agentId, email: `${agentId}@acme.test`, displayName: agentId }, role: 'MEMBER' })));
    await decideAll('carol', agents.map((agentId) => ({ type: 'ChangeAgentRole', actorId: 'carol', agentId, role: 'AUDITOR', agentKey: undefined })));
    await api('POST', `/v1/orgs/${orgId}/agents`, carol, { agentId: 'dave', email: 'dave@acme.test', displayName: 'Dave', role: 'MEMBER' });

    // What the API answers the screen's first request: nothing, and a cursor.
    const query = new URLSearchParams({ type: 'AgentAdded', actor: 'carol', limit: '50' });
    const first = await api<{ items: unknown[]; nextCursor?: string }>('GET', `/v1/orgs/${orgId}/audit-log?${query}`, carol);
    expect(first).toEqual({ items: [], nextCursor: expect.any(String) });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Agent token').fill(carol);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the one match of a search whose first page the server answers empty, and no further page', async () => {
    const filters = page.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('Event type').fill('AgentAdded');
    await filters.getByLabel('Actor').fill('carol');
    await filters.getByRole('button', { name: 'Apply filters' }).click();

    const results = page.getByRole('table');
    await results.getByRole('cell', { name: 'dave', exact: true }).waitFor();
    expect(await results.getByRole('row').count()).toBe(2);
    expect(await page.getByText('1 event(s)').count()).toBe(1);
    expect(await page.getByRole('button', { name: /Next page|Search further/ }).count()).toBe(0);
  });
});
