/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { mintAgentToken } from '../../src/auth/token-minter';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { launchChromium } from './browser';
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

  /** alice signed in with a token that was good then, which has expired since (the tab still holds it). */
  const signedInThenExpired = async (): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Agent token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
    await page.evaluate((stale) => sessionStorage.setItem('ztkeys.token', stale), expired);
    return page;
  };
  const heldToken = (page: Page) => page.evaluate(() => sessionStorage.getItem('ztkeys.token'));

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    server = await startTestServer();
    ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice' } }));
    token = await server.token(orgId, 'alice');
    // Expired two minutes ago, as the one the tab signed in with will be once its hour is over.
    expired = await mintAgentToken(server.secrets.jwtSecret!, { agentId: 'alice', orgId }, -120);
    const other = await api<{ orgId: string }>('POST', '/v1/orgs', server.bootstrapToken, { name: 'Globex', superAdmin: { agentId: 'bob', email: 'bob@globex.test', displayName: 'Bob' } });
    otherOrgToken = await server.token(other.orgId, 'bob');
    browser = await launchChromium();
  });

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

  it('never shows a screen of the agent who logged out to the one who signed in next: a screen answered late is dropped', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Agent token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
    // alice opens Pending keys; its list is held on the way until bob has signed in.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/v1/orgs/${orgId}/key-requests?*`, async (route) => (await released, route.continue()));
    const held = page.waitForRequest(`**/v1/orgs/${orgId}/key-requests?*`);
    await page.getByRole('navigation').getByRole('link', { name: 'Pending keys', exact: true }).click();
    const request = await held;
    await page.getByRole('navigation').getByRole('link', { name: 'This browser', exact: true }).click();
    await page.getByRole('button', { name: 'Log out of this browser' }).click();
    await page.getByLabel('Agent token').fill(otherOrgToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
    // Every screen drawn from now on, as it is drawn.
    await page.evaluate(() => {
      const drawn: string[] = ((window as unknown as { drawn: string[] }).drawn = []);
      const content = document.getElementById('screen')!;
      new MutationObserver(() => content.querySelectorAll('h1').forEach((heading) => drawn.push(heading.textContent ?? ''))).observe(content, { childList: true, subtree: true });
    });
    release();
    await (await request.response())!.finished();
    // bob opens a screen of his own: a server round trip, by which time alice's list has long been answered.
    await page.getByRole('navigation').getByRole('link', { name: 'Zero-trust status', exact: true }).click();
    await page.getByRole('heading', { name: 'Zero-trust status' }).waitFor();
    expect(await page.locator('#who').textContent()).toContain('bob');
    expect(await page.evaluate(() => (window as unknown as { drawn: string[] }).drawn)).not.toContain('Pending keys');
    expect(await page.getByRole('heading', { name: 'Pending keys' }).count()).toBe(0);
  });
});
