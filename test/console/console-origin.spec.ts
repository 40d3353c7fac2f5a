/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { chromiumBeside } from './browser';
import { serverApi } from './server-api';

/**
 * The console's key store (IndexedDB `ztkeys`) belongs to its origin, not to its pages: every page
 * the server serves there can sign with a key the console made. Non-extractable stops a script
 * reading the key out, not signing with it. So the other page of that origin, the API docs
 * (Swagger UI, a large third-party bundle), must run no script the server did not serve either.
 */
jest.setTimeout(120_000);

/** What a script injected into a page of the origin does: sign with the agent's browser key. */
const SIGN_WITH_THE_CONSOLE_KEY = `
  window.injectedRan = true;
  const opened = indexedDB.open('ztkeys');
  opened.onsuccess = () => {
    const read = opened.result.transaction('keys').objectStore('keys').getAll();
    read.onsuccess = async () => {
      const signature = await crypto.subtle.sign({ name: 'Ed25519' }, read.result[0].active.privateKey, new TextEncoder().encode('any statement'));
      window.injectedSignature = signature.byteLength;
    };
  };`;

describe('web console: the other pages of its origin (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let orgId: string;
  let token: string;
  const consoleErrors: string[] = [];
  const api = serverApi(() => server);

  /** Headers of a GET, by name. */
  const headersOf = async (path: string): Promise<Record<string, string>> => {
    const headers: Record<string, string> = {};
    const answer = await fetch(`${server.url}${path}`);
    answer.headers.forEach((value, name) => (headers[name] = value));
    // A body left unread holds its connection open, paused, past the server's end: the jest worker could not exit.
    await answer.body?.cancel();
    return headers;
  };

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    browser = await chromiumBeside(async () => {
      server = await startTestServer();
      ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice' } }));
      token = await server.token(orgId, 'alice');
    });
    context = await browser.newContext();
    // alice's first key, made and kept by the console in this browser profile.
    const page = await context.newPage();
    page.on('console', (message) => message.text().includes('Permissions-Policy') && consoleErrors.push(message.text()));
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Agent token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Create my key' }).click();
    await page.getByRole('dialog', { name: 'Sign with your key?' }).getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByTestId('key-status').filter({ hasText: 'APPROVED' }).waitFor();
    await page.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs no script injected into the API docs, which share the origin of the keys: Swagger UI still draws every operation', async () => {
    const page: Page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => /Content Security Policy|Permissions-Policy/.test(message.text()) && violations.push(message.text()));
    await page.goto(`${server.url}/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    // Swagger UI's own scripts, styles and icons run and show under the policy: nothing of the page is refused (nor is a feature of the Permissions-Policy unknown to Chromium).
    expect(violations).toEqual([]);
    const refused = page.waitForEvent('console', (message) => /Content Security Policy/.test(message.text()));
    await page.evaluate((source) => {
      const script = document.createElement('script');
      script.textContent = source;
      document.body.append(script);
    }, SIGN_WITH_THE_CONSOLE_KEY);
    // The script refused: its violation reported (a script that ran would have set injectedRan at once, as it was added).
    await refused;
    expect(await page.evaluate(() => ({ ran: (window as { injectedRan?: boolean }).injectedRan, signed: (window as { injectedSignature?: number }).injectedSignature }))).toEqual({ ran: undefined, signed: undefined });
    expect(violations).toHaveLength(1);
    await page.close();
  });

  it('gives the docs a script policy of their own files, and both pages a Permissions-Policy and a Referrer-Policy', async () => {
    const docs = await headersOf('/docs');
    expect(consoleErrors).toEqual([]);
    expect(docs['content-security-policy']).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(docs['content-security-policy']).not.toMatch(/script-src[^;]*(unsafe|data:|blob:|https?:)/);
    expect(docs['content-security-policy']).toMatch(/(^|; )object-src 'none'(;|$)/);
    expect(docs['content-security-policy']).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    for (const path of ['/docs', '/docs/', '/docs/swagger-ui-init.js', '/console/', '/console/nope.js']) {
      const headers = await headersOf(path);
      expect({ path, permissions: headers['permissions-policy'], referrer: headers['referrer-policy'] }).toEqual({ path, permissions: expect.stringContaining('camera=()'), referrer: 'no-referrer' });
    }
  });
});
