/// <reference lib="dom" />
import canonicalize from 'canonicalize';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { generateKeyPair, signStatement } from '../../src/cli/signature-key';
import { challengeRequestBody } from '../../src/domain/shared/statement-binding';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { accessibilityViolations, chromiumBeside } from './browser';

/**
 * The journey of the source article in the web console, in a real browser (Debian's Chromium):
 * the admin's and the requester's browsers are two browser contexts, each with its own storage,
 * so its own keys (IndexedDB) and browser id.
 */
jest.setTimeout(180_000);

const SCREENSHOTS = join(__dirname, '../../docs/console');
const TASK = 'remote-control:device-42';

describe('web console journey (Chromium, two browsers)', () => {
  let server: TestServer;
  let browser: Browser;
  let orgId: string;
  let admin: { context: BrowserContext; page: Page };
  let requester: { context: BrowserContext; page: Page };
  const tokens: Record<string, string> = {};

  const api = async (method: string, path: string, token: string, body?: object) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, string>>;
  };
  const openBrowser = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    return { context, page: await context.newPage() };
  };
  const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const accessible = async (page: Page) => expect(await accessibilityViolations(page)).toEqual([]);
  const open = async (page: Page, screen: string) => {
    await page.getByRole('navigation').getByRole('link', { name: screen, exact: true }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  };
  const signIn = async (page: Page, agentId: string) => {
    await page.getByLabel('Agent token').fill(tokens[agentId]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
  };
  /** The signature step: the dialog shows what is bound; the user confirms. */
  const confirmSignature = async (page: Page, bound: string) => {
    const dialog = page.getByRole('dialog', { name: 'Sign with your key?' });
    await dialog.waitFor();
    await expectText(dialog, bound);
    await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
  };
  /** Waits until the element shows the text (screens render asynchronously). */
  const expectText = (locator: Locator, text: string) => locator.filter({ hasText: text }).first().waitFor();
  const notice = (page: Page) => page.getByRole('status').filter({ hasText: /./ });

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromiumBeside(async () => {
      server = await startTestServer();
      ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, {
        name: 'Acme Support',
        superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice Admin' },
        // R20 M-of-N: two approvals for a member's key, capped by the approvers who can sign (alice alone until carol's key below).
        policy: { memberKeyApprovals: 2 },
      }));
      tokens.alice = await server.token(orgId, 'alice');
      await api('POST', `/v1/orgs/${orgId}/agents`, tokens.alice, { agentId: 'bob', email: 'bob@acme.test', displayName: 'Bob Member', role: 'MEMBER' });
      tokens.bob = await server.token(orgId, 'bob');
    });
    admin = await openBrowser();
    requester = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is served with a strict Content-Security-Policy that stops an injected script', async () => {
    const response = await admin.page.goto(`${server.url}/console/`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const ran = await admin.page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return (window as unknown as { injected?: boolean }).injected === true;
    });
    expect(ran).toBe(false);
    const bare = await fetch(`${server.url}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/console/']);
  });

  it('runs the journey: first key, a wrong code, a reject, a new request, an approval', async () => {
    const { page: alice } = admin;
    const { page: bob } = requester;
    await alice.goto(`${server.url}/console/`);
    await alice.getByLabel('Agent token').waitFor();
    await accessible(alice);
    await screenshot(alice, '1-sign-in');
    await signIn(alice, 'alice');
    await alice.getByRole('button', { name: 'Create my key' }).click();
    await confirmSignature(alice, 'publicKey');
    await expectText(notice(alice), 'first key');
    await expectText(alice.getByTestId('key-status'), 'APPROVED');
    await alice.getByText('the server shows the same code and fingerprint').waitFor();

    await bob.goto(`${server.url}/console/`);
    await signIn(bob, 'bob');
    await bob.getByRole('button', { name: 'Create my key' }).click();
    await confirmSignature(bob, 'publicKey');
    await expectText(bob.getByTestId('key-status'), 'PENDING');
    await bob.getByText('the server shows the same code and fingerprint').waitFor();
    await accessible(bob);
    await screenshot(bob, '2-my-key-pending');
    const firstCode = (await bob.getByTestId('verification-code').textContent())!;
    expect(firstCode).toMatch(/^\d{15}$/);
    // R20: the requester and the approver see the same expiry, by the org's policy.
    const expiresAt = (await bob.getByTestId('expires-at').textContent())!;
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now() + 7 * 24 * 3600_000);

    await open(alice, 'Pending keys');
    await alice.getByRole('cell', { name: /^Bob Member \(bob\)/ }).waitFor();
    expect([await alice.getByTestId('expires-at').textContent(), await alice.getByTestId('approvals').textContent()]).toEqual([expiresAt, '0/1']);
    const wrong = firstCode.startsWith('0') ? '111-111-111-111-111' : '000-000-000-000-000';
    await alice.getByLabel('Code read out by bob').fill(wrong);
    await alice.getByRole('button', { name: 'Approve bob' }).click();
    await confirmSignature(alice, 'APPROVE');
    await expectText(alice.locator('.messages [role="alert"]'), 'The verification code does not match the one of this request. 4 attempt(s) left');
    expect(await alice.locator('.messages [role="alert"]').textContent()).not.toMatch(/[{}]/);
    await accessible(alice);
    await screenshot(alice, '3-pending-keys-wrong-code');

    await alice.getByLabel('Reason to reject bob').fill('Not on the support rota yet');
    await alice.getByRole('button', { name: 'Reject bob' }).click();
    await confirmSignature(alice, 'REJECT');
    await expectText(notice(alice), 'Rejected bob');
    await alice.getByTestId('no-pending').waitFor();

    await bob.getByRole('button', { name: 'Refresh status' }).click();
    await expectText(bob.getByTestId('request-ended'), 'REJECTED');
    await bob.getByRole('button', { name: 'Create my key' }).click();
    await confirmSignature(bob, 'publicKey');
    await expectText(bob.getByTestId('key-status'), 'PENDING');
    const code = (await bob.getByTestId('verification-code').textContent())!;
    expect(code).not.toBe(firstCode);

    await open(alice, 'Pending keys');
    await alice.getByLabel('Code read out by bob').fill(code.match(/\d{3}/g)!.join(' '));
    await alice.getByRole('button', { name: 'Approve bob' }).click();
    await confirmSignature(alice, 'APPROVE');
    await expectText(notice(alice), 'Approved: bob’s key is ACTIVE');

    await bob.getByRole('button', { name: 'Refresh status' }).click();
    await bob.getByRole('heading', { name: 'Active key' }).waitFor();
    await expectText(bob.getByTestId('key-status'), 'APPROVED');
    await screenshot(bob, '4-my-key-active');
  });

  it('first task signed, DAILY spares the second in this browser, logout resets it to EVERY_TASK', async () => {
    const { page: bob } = requester;
    const authorize = async () => {
      await open(bob, 'Sensitive task');
      await bob.getByLabel('Task').fill(TASK);
      await bob.getByRole('button', { name: 'Authorize' }).click();
    };
    await authorize();
    await confirmSignature(bob, TASK);
    await expectText(bob.getByTestId('task-result'), 'with your signature');

    await open(bob, 'This browser');
    const browserId = (await bob.getByTestId('browser-id').textContent())!;
    await bob.getByLabel(/^DAILY/).check();
    await bob.getByRole('button', { name: 'Save prompt frequency' }).click();
    await confirmSignature(bob, 'DAILY');
    await expectText(notice(bob), 'Prompt frequency of this browser: DAILY');
    await expectText(bob.getByTestId('prompt-frequency'), 'DAILY');
    await accessible(bob);
    await screenshot(bob, '5-this-browser');

    await authorize();
    await expectText(bob.getByTestId('task-result'), 'without a signature (remembered)');
    expect(await bob.getByRole('dialog').isVisible()).toBe(false);
    await accessible(bob);
    await screenshot(bob, '6-sensitive-task');

    await open(bob, 'This browser');
    await bob.getByRole('button', { name: 'Log out of this browser' }).click();
    await expectText(bob.getByTestId('signed-out'), 'EVERY_TASK again');
    expect(await bob.evaluate(() => ({ session: sessionStorage.length, token: JSON.stringify(localStorage).includes('eyJ') }))).toEqual({ session: 0, token: false });
    await signIn(bob, 'bob');
    await authorize();
    await confirmSignature(bob, TASK);
    await expectText(bob.getByTestId('task-result'), 'with your signature');

    const { page: alice } = admin;
    await open(alice, 'Zero-trust status');
    await expectText(alice.getByTestId('totals'), '2 agents, 2 with an ACTIVE key');
    await alice.getByLabel('Key status').selectOption('ACTIVE');
    await alice.getByRole('button', { name: 'Apply filters' }).click();
    const bobRow = alice.getByRole('row', { name: /Bob Member/ });
    await expectText(bobRow, 'ACTIVE');
    // Logged out of, the browser is back at EVERY_TASK: what a browser the status does not list prompts.
    expect(await bobRow.first().textContent()).not.toContain(browserId);
    await accessible(alice);
    await screenshot(alice, '7-zero-trust-status');

    await open(alice, 'Audit log');
    await alice.getByLabel('Event type').fill('KeyRejected');
    await alice.getByRole('button', { name: 'Apply filters' }).click();
    await expectText(alice.locator('caption'), '1 event(s)');
    await alice.getByLabel('Event type').fill('');
    await alice.getByRole('button', { name: 'Apply filters' }).click();
    await alice.getByRole('cell', { name: 'SensitiveTaskAuthorized' }).first().waitFor();
    await accessible(alice);
    await screenshot(alice, '8-audit-log');
  });
  it('refuses to sign a challenge that binds anything but what was clicked; its private key cannot be read out', async () => {
    const { page: bob } = requester;
    const taskCalls: string[] = [];
    bob.on('request', (request) => {
      if (request.url().endsWith('/sensitive-tasks')) taskCalls.push(request.postData() ?? '');
    });
    // A tampered server: the challenge it hands out binds another task.
    await bob.route('**/challenges', async (route) => {
      const response = await route.fetch();
      const challenge = (await response.json()) as { statement: string };
      const statement = { ...JSON.parse(challenge.statement), task: 'remote-control:every-device' };
      await route.fulfill({ response, json: { ...challenge, statement: canonicalize(statement) } });
    });
    await open(bob, 'Sensitive task');
    await bob.getByLabel('Task').fill(TASK);
    await bob.getByRole('button', { name: 'Authorize' }).click();
    await expectText(bob.locator('.messages [role="alert"]'), `Refused to sign the server’s SENSITIVE_TASK challenge: it binds task "remote-control:every-device" instead of "${TASK}"`);
    expect(await bob.getByRole('dialog').isVisible()).toBe(false);
    expect(taskCalls).toHaveLength(1);
    expect(taskCalls[0]).not.toContain('signature');
    await bob.unroute('**/challenges');

    const readOut = await bob.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('ztkeys');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const keys = await new Promise<{ active: { privateKey: CryptoKey } }[]>((resolve) => {
        const request = db.transaction('keys').objectStore('keys').getAll();
        request.onsuccess = () => resolve(request.result);
      });
      const { privateKey } = keys[0].active;
      return crypto.subtle.exportKey('pkcs8', privateKey).then(
        () => 'exported',
        (error: Error) => `extractable=${privateKey.extractable} ${error.name}`,
      );
    });
    expect(readOut).toBe('extractable=false InvalidAccessError');
  });
  it('works from the keyboard: Enter submits, Escape declines a signature, Enter on the focused Sign signs', async () => {
    const { page: bob } = requester;
    await open(bob, 'Sensitive task');
    await bob.getByLabel('Task').focus();
    await bob.keyboard.type('remote-control:device-7');
    await bob.keyboard.press('Enter');
    const dialog = bob.getByRole('dialog', { name: 'Sign with your key?' });
    await dialog.waitFor();
    await bob.keyboard.press('Escape');
    await expectText(bob.locator('.messages [role="alert"]'), 'Not signed: nothing was sent.');
    await bob.getByLabel('Task').focus();
    await bob.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await bob.evaluate(() => document.activeElement?.textContent)).toBe('Sign');
    await bob.keyboard.press('Enter');
    await expectText(bob.getByTestId('task-result'), 'Authorized “remote-control:device-7” with your signature');
  });

  it("says an approval was recorded, not that the key is ACTIVE, when the policy asks for another approver's too (M-of-N)", async () => {
    const { page: alice } = admin;
    const requestKey = async (agentId: string, role: string) => {
      await api('POST', `/v1/orgs/${orgId}/agents`, tokens.alice, { agentId, email: `${agentId}@acme.test`, displayName: agentId, role });
      tokens[agentId] = await server.token(orgId, agentId);
      const key = await generateKeyPair();
      const challenge = await api('POST', `/v1/orgs/${orgId}/challenges`, tokens[agentId], challengeRequestBody({ purpose: 'KEY_REQUEST', publicKey: key.publicKey }));
      const created = await api('POST', `/v1/orgs/${orgId}/key-requests`, tokens[agentId], { publicKey: key.publicKey, challengeId: challenge.challengeId, signature: await signStatement(key, challenge.statement) });
      return created.verificationCode;
    };
    const approveIn = async (agentId: string, code: string) => {
      await open(alice, 'Pending keys');
      await alice.getByLabel(`Code read out by ${agentId}`).fill(code);
      await alice.getByRole('button', { name: `Approve ${agentId}` }).click();
      await confirmSignature(alice, 'APPROVE');
    };
    // carol, an ADMIN (one approval for admins' keys), gets her key: now two approvers can sign besides a member.
    await approveIn('carol', await requestKey('carol', 'ADMIN'));
    await expectText(notice(alice), 'Approved: carol’s key is ACTIVE');
    await approveIn('dave', await requestKey('dave', 'MEMBER'));
    await expectText(notice(alice), 'Your approval is recorded (1 of the 2 approvals');
    expect(await notice(alice).textContent()).not.toMatch(/ACTIVE/);
    await alice.getByRole('cell', { name: /^dave \(dave\)/ }).waitFor();
    await expectText(alice.getByTestId('approvals'), '1/2 (alice)');
  });
});
