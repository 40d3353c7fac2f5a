/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config/app-config';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { accessibilityViolations, chromiumBeside } from './browser';
import { startOidcProvider, type OidcProvider } from './oidc-provider';

/**
 * The console's OIDC redirect sign-in (JWKS_URL set) in Chromium, against a real provider in this
 * process: authorization code with PKCE, the code exchanged by the browser at the token endpoint
 * (the CSP lets it reach that origin only), the access token used as the bearer and kept in the
 * tab's sessionStorage only.
 */
jest.setTimeout(180_000);

const SCREENSHOTS = join(__dirname, '../../docs/console');
const AUDIENCE = 'ztkeys-api';

describe('web console: OIDC sign-in (Chromium, authorization code + PKCE)', () => {
  let provider: OidcProvider;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let orgId: string;

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    provider = await startOidcProvider(AUDIENCE);
    browser = await chromiumBeside(async () => {
      server = await startTestServer({
        JWKS_URL: `${provider.issuer}/jwks`,
        JWT_ISSUER: provider.issuer,
        JWT_AUDIENCE: AUDIENCE,
        OIDC_AUTHORIZATION_URL: `${provider.issuer}/authorize`,
        OIDC_TOKEN_URL: `${provider.issuer}/token`,
        OIDC_CLIENT_ID: provider.clientId,
      });
      const created = await fetch(`${server.url}/v1/orgs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.bootstrapToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice Admin' } }),
      });
      ({ orgId } = (await created.json()) as { orgId: string });
      provider.configure({ user: { sub: 'alice', org: orgId }, redirectUri: `${server.url}/console/`, consoleOrigin: server.url });
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  it('publishes the sign-in options and lets the console reach the token endpoint’s origin only', async () => {
    const options = await (await fetch(`${server.url}/v1/sign-in-options`)).json();
    expect(options).toEqual({ token: true, oidc: { authorizationEndpoint: `${provider.issuer}/authorize`, tokenEndpoint: `${provider.issuer}/token`, clientId: 'ztkeys-console', scope: 'openid' } });
    const csp = (await fetch(`${server.url}/console/`)).headers.get('content-security-policy');
    expect(csp).toContain(`connect-src 'self' ${provider.issuer};`);
    expect(csp).toContain("script-src 'self';");
  });

  it('signs in through the provider and uses its access token as the bearer, kept in this tab only', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, '0-sign-in-oidc.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
    await page.getByText(`Signed in as alice in ${orgId}`).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(provider.tokenRequests).toHaveLength(1);
    expect(provider.tokenRequests[0]).toMatchObject({ grant_type: 'authorization_code', client_id: 'ztkeys-console', redirect_uri: `${server.url}/console/` });
    expect(provider.tokenRequests[0].code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(provider.tokenRequests[0]).not.toHaveProperty('client_secret');
    const storage = await page.evaluate(() => ({ session: Object.keys(sessionStorage), local: JSON.stringify(localStorage) }));
    expect(storage.session).toEqual(['ztkeys.token']);
    expect(storage.local).not.toContain('eyJ');
    // The token works as the bearer: the My key screen read the org through the API.
    await page.getByText('This browser holds no signature key of yours.').waitFor();
  });

  it('refuses an answer it did not ask for (state), showing why, and keeps no token', async () => {
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${server.url}/console/?code=stolen&state=forged`);
    await page.locator('.messages [role="alert"]').filter({ hasText: 'This sign-in answer was not started from this tab' }).waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(provider.tokenRequests).toHaveLength(1);
  });

  it('takes an authorization answer once: the same answer replayed, in this tab or another, is refused before its code is exchanged', async () => {
    const tab = await page.context().newPage();
    await tab.goto(`${server.url}/console/`);
    const answered = tab.waitForRequest((request) => new URL(request.url()).searchParams.has('code'));
    await tab.getByRole('button', { name: 'Sign in with your identity provider' }).click();
    const answer = (await answered).url();
    await tab.getByRole('heading', { name: 'My key' }).waitFor();
    const exchanges = provider.tokenRequests.length;
    for (const replay of [tab, await page.context().newPage()]) {
      await replay.goto(answer);
      await replay.locator('.messages [role="alert"]').filter({ hasText: 'This sign-in answer was not started from this tab' }).waitFor();
      expect(new URL(replay.url()).search).toBe('');
    }
    expect(provider.tokenRequests).toHaveLength(exchanges);
    await tab.close();
  });

  it('shows an error answer only for a sign-in this tab started: a link carrying its own error text is refused as any forged answer', async () => {
    // Anyone can write such a link: its error_description would be shown as the provider's word on the console's own page.
    const phishing = 'Your session expired: paste your token at https://evil.example';
    for (const answer of [`error=access_denied&error_description=${encodeURIComponent(phishing)}&state=forged`, `error=${encodeURIComponent(phishing)}`]) {
      await page.evaluate(() => sessionStorage.clear());
      await page.goto(`${server.url}/console/?${answer}`);
      await page.locator('.messages [role="alert"]').filter({ hasText: 'This sign-in answer was not started from this tab' }).waitFor();
      expect(await page.locator('body').innerText()).not.toContain('evil.example');
      expect(new URL(page.url()).search).toBe('');
    }
    // The provider's own refusal, to a sign-in started here, is shown as it says.
    provider.configure({ user: { sub: 'alice', org: orgId }, redirectUri: `${server.url}/console/`, consoleOrigin: server.url, denial: 'alice may not use this application' });
    try {
      await page.goto(`${server.url}/console/`);
      await page.getByRole('button', { name: 'Sign in with your identity provider' }).click();
      await page.locator('.messages [role="alert"]').filter({ hasText: 'Your identity provider did not sign you in: alice may not use this application.' }).waitFor();
      expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
    } finally {
      provider.configure({ user: { sub: 'alice', org: orgId }, redirectUri: `${server.url}/console/`, consoleOrigin: server.url });
    }
  });

  it('refuses an OIDC sign-in configured without JWKS_URL or half configured', () => {
    const base = { DATA_DIR: '/tmp/unused', OIDC_AUTHORIZATION_URL: 'https://id.example/authorize', OIDC_TOKEN_URL: 'https://id.example/token', OIDC_CLIENT_ID: 'console' };
    expect(() => loadConfig(base)).toThrow('OIDC_AUTHORIZATION_URL needs JWKS_URL');
    expect(() => loadConfig({ ...base, OIDC_TOKEN_URL: undefined })).toThrow('go together');
  });
});
