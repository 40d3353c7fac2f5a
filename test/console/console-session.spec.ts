/// <reference lib="dom" />
import type { Browser, Page, Request } from 'playwright-core';
import { mintAgentToken } from '../../src/auth/token-minter';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { chromiumBeside } from './browser';
import { serverApi } from './server-api';

/**
 * The tab's token once the server no longer accepts it (it expired): the console must let go of
 * it and ask for a new one, not keep a dead session that even "Log out" cannot end. And what one
 * session asked for is never shown to the next.
 */
jest.setTimeout(120_000);

describe('web console: the tab’s session (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let orgId: string;
  let token: string;
  let expired: string;
  let otherOrgToken: string;

  const api = serverApi(() => server);

  const signIn = async (page: Page, agentToken: string) => {
    await page.getByLabel('Agent token').fill(agentToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
  };
  const signedIn = async (agentToken: string): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/console/`);
    await signIn(page, agentToken);
    return page;
  };
  /** alice signed in with a token that was good then, which has expired since (the tab still holds it). */
  const signedInThenExpired = async (): Promise<Page> => {
    const page = await signedIn(token);
    await page.evaluate((stale) => sessionStorage.setItem('ztkeys.token', stale), expired);
    return page;
  };
  const heldToken = (page: Page) => page.evaluate(() => sessionStorage.getItem('ztkeys.token'));
  /** The key requests of this browser's keys of one agent ("org/agent"), read from the console's IndexedDB. */
  const keptRequestIds = (page: Page, slot: string) =>
    page.evaluate(
      (key) =>
        new Promise<unknown[]>((resolve, reject) => {
          const opened = indexedDB.open('ztkeys', 1);
          opened.onerror = () => reject(opened.error);
          opened.onsuccess = () => {
            const read = opened.result.transaction('keys').objectStore('keys').get(key);
            read.onsuccess = () => (opened.result.close(), resolve([read.result?.active?.requestId, read.result?.pending?.requestId]));
          };
        }),
      slot,
    );
  /** The page's requests to `url` by `method` are held on their way until `release()`: the test acts meanwhile. */
  const hold = async (page: Page, url: string, method = 'GET') => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let seen!: (request: Request) => void;
    const request = new Promise<Request>((resolve) => (seen = resolve));
    await page.route(url, async (route) => {
      if (route.request().method() === method) {
        seen(route.request());
        await released;
      }
      await route.continue();
    });
    return { request, release };
  };
  /** alice, in this tab, logs out; bob of another org signs in. */
  const logOutThenBobSignsIn = async (page: Page) => {
    await page.getByRole('navigation').getByRole('link', { name: 'This browser', exact: true }).click();
    await page.getByRole('button', { name: 'Log out of this browser' }).click();
    await signIn(page, otherOrgToken);
  };

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    browser = await chromiumBeside(async () => {
      server = await startTestServer();
      ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice' } }));
      token = await server.token(orgId, 'alice');
      // Expired two minutes ago, as the one the tab signed in with will be once its hour is over.
      expired = await mintAgentToken(server.secrets.jwtSecret!, { agentId: 'alice', orgId }, -120);
      const other = await api<{ orgId: string }>('POST', '/v1/orgs', server.bootstrapToken, { name: 'Globex', superAdmin: { agentId: 'bob', email: 'bob@globex.test', displayName: 'Bob' } });
      otherOrgToken = await server.token(other.orgId, 'bob');
    });
  });

  // Each test signs in with browser contexts of its own: none is left drawing or holding storage for the next.
  afterEach(() => Promise.all(browser.contexts().map((context) => context.close())));

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens the sign-in screen, the token forgotten, when a screen is refused for its token', async () => {
    const page = await signedInThenExpired();
    await page.getByRole('navigation').getByRole('link', { name: 'Zero-trust status', exact: true }).click();
    await page.getByLabel('Agent token').waitFor();
    expect(await page.getByTestId('signed-out').textContent()).toContain('sign in again');
    expect(await heldToken(page)).toBeNull();
  });

  it('logs out of a tab whose token expired: the server cannot reset the browser, the tab forgets the token all the same', async () => {
    const page = await signedInThenExpired();
    await page.getByRole('navigation').getByRole('link', { name: 'This browser', exact: true }).click();
    await page.getByRole('button', { name: 'Log out of this browser' }).click();
    await page.getByLabel('Agent token').waitFor();
    expect(await heldToken(page)).toBeNull();
  });

  it('logs out of the tab when the server does not reset the browser (an AUDITOR’s logout is refused 403; the server cannot be reached), and says so', async () => {
    await api('POST', `/v1/orgs/${orgId}/agents`, token, { agentId: 'dave', email: 'dave@acme.test', displayName: 'Dave Auditor', role: 'AUDITOR' });
    const auditor = await signedIn(await server.token(orgId, 'dave'));
    const cut = await signedIn(token);
    await cut.route('**/logout', (route) => route.abort('connectionrefused'));
    for (const page of [auditor, cut]) {
      await page.getByRole('navigation').getByRole('link', { name: 'This browser', exact: true }).click();
      await page.getByRole('button', { name: 'Log out of this browser' }).click();
      await page.getByLabel('Agent token').waitFor();
      expect(await heldToken(page)).toBeNull();
      expect(await page.getByTestId('signed-out').textContent()).toContain('sign in again and log out');
    }
  });

  it('never shows a screen of the agent who logged out to the one who signed in next: a screen answered late is dropped', async () => {
    const page = await signedIn(token);
    // alice opens Pending keys; its list is held on the way until bob has signed in.
    const held = await hold(page, `**/v1/orgs/${orgId}/key-requests?*`);
    await page.getByRole('navigation').getByRole('link', { name: 'Pending keys', exact: true }).click();
    const request = await held.request;
    await logOutThenBobSignsIn(page);
    // Every screen drawn from now on, as it is drawn.
    await page.evaluate(() => {
      const drawn: string[] = ((window as unknown as { drawn: string[] }).drawn = []);
      const content = document.getElementById('screen')!;
      new MutationObserver(() => content.querySelectorAll('h1').forEach((heading) => drawn.push(heading.textContent ?? ''))).observe(content, { childList: true, subtree: true });
    });
    held.release();
    await (await request.response())!.finished();
    // bob opens a screen of his own: a server round trip, by which time alice's list has long been answered.
    await page.getByRole('navigation').getByRole('link', { name: 'Zero-trust status', exact: true }).click();
    await page.getByRole('heading', { name: 'Zero-trust status' }).waitFor();
    expect(await page.locator('#who').textContent()).toContain('bob');
    expect(await page.evaluate(() => (window as unknown as { drawn: string[] }).drawn)).not.toContain('Pending keys');
    expect(await page.getByRole('heading', { name: 'Pending keys' }).count()).toBe(0);
  });

  it('shows bob, who signed in after alice logged out, nothing of an action she started: her key request answered late says and redraws nothing', async () => {
    const page = await signedIn(token);
    // alice asks for a key and signs; the request is held on its way until bob has signed in.
    const held = await hold(page, `**/v1/orgs/${orgId}/key-requests`, 'POST');
    await page.getByRole('button', { name: /^(Create my key|Request a new key \(key change\))$/ }).click();
    await page.getByRole('dialog', { name: 'Sign with your key?' }).getByRole('button', { name: 'Sign', exact: true }).click();
    const request = await held.request;
    await logOutThenBobSignsIn(page);
    // Each render draws the navigation anew, at once: a redraw of bob's screen by alice's action would replace this one.
    await page.evaluate(() => document.querySelector('#nav ul')!.setAttribute('data-before-release', ''));
    held.release();
    const { requestId } = (await (await request.response())!.json()) as { requestId: string };
    // The request's last step before its message and redraw: alice's new key kept in this browser, for her next session.
    while (!(await keptRequestIds(page, `${orgId}/alice`)).includes(requestId));
    expect(await page.locator('#who').textContent()).toContain('bob');
    expect(await page.locator('#nav ul[data-before-release]').count()).toBe(1);
    expect(await page.locator('.messages').textContent()).toBe('');
  });

  it('shows bob none of the searches alice typed before she logged out: the audit and status filters are the session’s', async () => {
    const page = await signedIn(token);
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByLabel('Subject').fill('carol-under-review');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('caption').filter({ hasText: '0 event(s)' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Zero-trust status', exact: true }).click();
    await page.getByLabel('Role').selectOption('AUDITOR');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('caption').filter({ hasText: 'Agents' }).waitFor();
    await logOutThenBobSignsIn(page);
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
    expect(await page.getByLabel('Subject').inputValue()).toBe('');
    // bob's org's log, unfiltered: its creation at least.
    await page.getByRole('cell', { name: 'OrganizationCreated' }).first().waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Zero-trust status', exact: true }).click();
    await page.getByRole('heading', { name: 'Zero-trust status' }).waitFor();
    expect(await page.getByLabel('Role').inputValue()).toBe('');
    await page.getByRole('cell', { name: /bob/ }).first().waitFor();
  });

  it('asks bob for no signature of alice’s: her action answered after she logged out opens no signature dialog', async () => {
    const page = await signedIn(token);
    // alice asks for a key; the challenge to sign is held on its way until bob has signed in.
    const held = await hold(page, `**/v1/orgs/${orgId}/challenges`, 'POST');
    await page.getByRole('button', { name: /^(Create my key|Request a new key \(key change\))$/ }).click();
    const request = await held.request;
    await logOutThenBobSignsIn(page);
    held.release();
    await (await request.response())!.finished();
    // bob opens a screen of his own: a server round trip, by which time alice's challenge has long been answered.
    await page.evaluate(() => (location.hash = 'status'));
    await page.getByRole('heading', { name: 'Zero-trust status' }).waitFor();
    expect(await page.locator('#who').textContent()).toContain('bob');
    expect(await page.getByRole('dialog', { name: 'Sign with your key?' }).count()).toBe(0);
  });

  it('keeps bob signed in when an action alice started is refused for her token after she logged out: her token’s refusal ends her session, not his', async () => {
    const page = await signedInThenExpired();
    // Sensitive task, drawn anew (with no call), acts with the expired token; the authorization is held on its way until bob has signed in.
    await page.getByRole('navigation').getByRole('link', { name: 'Sensitive task', exact: true }).click();
    await page.getByRole('heading', { name: 'Authorize a sensitive task' }).waitFor();
    const held = await hold(page, `**/v1/orgs/${orgId}/sensitive-tasks`, 'POST');
    await page.getByLabel('Task').fill('remote-control:device-42');
    await page.getByRole('button', { name: 'Authorize' }).click();
    const request = await held.request;
    await logOutThenBobSignsIn(page);
    held.release();
    await (await request.response())!.finished();
    // bob opens a screen of his own: a server round trip, by which time alice's refusal has long been answered.
    await page.evaluate(() => (location.hash = 'status'));
    await page.getByRole('heading', { name: /^(Zero-trust status|Sign in)$/ }).waitFor();
    expect(await page.locator('#who').textContent()).toContain('bob');
    expect(await heldToken(page)).toBe(otherOrgToken);
    expect(await page.locator('.messages').textContent()).toBe('');
  });
});
