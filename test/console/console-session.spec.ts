/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { mintAgentToken } from '../../src/auth/token-minter';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { launchChromium } from './browser';
import { serverApi } from './server-api';

/**
 * The tab's token once the server no longer accepts it (it expired): the console must let go of
 * it and ask for a new one, not keep a dead session that even "Log out" cannot end.
 */
jest.setTimeout(120_000);

describe('web console: a token the server refuses (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let orgId: string;
  let token: string;
  let expired: string;

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
});
