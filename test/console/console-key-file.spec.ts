/// <reference lib="dom" />
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { challengeRequestBody, type Binding } from '../../src/domain/shared/statement-binding';
import { openKey, parseKeyFile, sealKey } from '../../src/cli/key-file';
import { generateKeyPair, signStatement, type UnlockedKey } from '../../src/cli/signature-key';
import { verificationCode } from '../../src/crypto/verification-code';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { accessibilityViolations, chromiumBeside } from './browser';
import { serverApi } from './server-api';

/**
 * The portable key file is one format for the CLI and the console, for real: a file sealed by the
 * CLI's code signs a sensitive task from Chromium, and a file exported by the console opens with
 * the CLI's code and signs what the server accepts. scrypt N=2^17 runs in pure JS in the browser:
 * each unlock takes seconds on a loaded machine, hence the long waits.
 */
jest.setTimeout(400_000);

const PASSPHRASE = 'correct horse battery staple';
const SCREENSHOTS = join(__dirname, '../../docs/console');

describe('web console: portable key files interchangeable with the CLI (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let orgId: string;
  let aliceKey: UnlockedKey;
  let folder: string;
  const tokens: Record<string, string> = {};

  const api = serverApi(() => server);
  /** The CLI's signing: challenge for the binding, statement signed with the unlocked key. */
  const cliProof = async (agentId: string, key: UnlockedKey, binding: Binding) => {
    const challenge = await api('POST', `/v1/orgs/${orgId}/challenges`, tokens[agentId], challengeRequestBody(binding));
    return { challengeId: challenge.challengeId, signature: await signStatement(key, challenge.statement) };
  };
  const signedInPage = async (agentId: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Agent token').fill(tokens[agentId]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
    return page;
  };
  const confirmWithPassphrase = async (page: Page, passphrase: string) => {
    const dialog = page.getByRole('dialog', { name: 'Sign with your key?' });
    await dialog.waitFor();
    await dialog.getByLabel('Passphrase of your key file').fill(passphrase);
    await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
  };
  const authorizeTask = async (page: Page, task: string) => {
    await page.getByRole('navigation').getByRole('link', { name: 'Sensitive task', exact: true }).click();
    await page.getByLabel('Task').fill(task);
    await page.getByRole('button', { name: 'Authorize' }).click();
  };

  /** Alice approves the agent's pending request with her key (the CLI's code), hearing the code computed from its key; the agent's page then shows it active. */
  const approvedByAlice = async (page: Page, agentId: string) => {
    const [pending] = (await api<{ items: { requestId: string; publicKey: string }[] }>('GET', `/v1/orgs/${orgId}/key-requests`, tokens.alice)).items;
    await api('POST', `/v1/orgs/${orgId}/key-requests/${pending.requestId}/approve`, tokens.alice, {
      verificationCode: verificationCode(orgId, agentId, pending.publicKey),
      ...(await cliProof('alice', aliceKey, { purpose: 'KEY_DECISION', requestId: pending.requestId, requesterPublicKey: pending.publicKey, decision: 'APPROVE' })),
    });
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await page.getByRole('heading', { name: 'Active key' }).waitFor();
    return pending;
  };

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    folder = mkdtempSync(join(tmpdir(), 'ztkeys-keyfile-'));
    browser = await chromiumBeside(async () => {
      server = await startTestServer();
      ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice Admin' } }));
      tokens.alice = await server.token(orgId, 'alice');
      await api('POST', `/v1/orgs/${orgId}/agents`, tokens.alice, { agentId: 'bob', email: 'bob@acme.test', displayName: 'Bob Member', role: 'MEMBER' });
      tokens.bob = await server.token(orgId, 'bob');
      await api('POST', `/v1/orgs/${orgId}/agents`, tokens.alice, { agentId: 'carol', email: 'carol@acme.test', displayName: 'Carol Member', role: 'MEMBER' });
      tokens.carol = await server.token(orgId, 'carol');
      // Alice's first key, made and registered by the CLI's code (approved at once: the org's first key).
      aliceKey = await generateKeyPair();
      const request = await api('POST', `/v1/orgs/${orgId}/key-requests`, tokens.alice, {
        publicKey: aliceKey.publicKey,
        ...(await cliProof('alice', aliceKey, { purpose: 'KEY_REQUEST', publicKey: aliceKey.publicKey })),
      });
      expect(request.status).toBe('APPROVED');
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('imports a key file written by the CLI and signs a sensitive task the server accepts', async () => {
    const path = join(folder, `${aliceKey.fingerprint}.json`);
    writeFileSync(path, JSON.stringify(await sealKey(aliceKey, { orgId, agentId: 'alice' }, PASSPHRASE, new Date().toISOString()), null, 2));
    const page = await signedInPage('alice');
    await page.getByLabel('Key file', { exact: true }).setInputFiles(path);
    await page.getByRole('button', { name: 'Import key file' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported the key file' }).waitFor();
    await page.getByTestId('key-kind').filter({ hasText: 'portable key file' }).waitFor();

    await authorizeTask(page, 'remote-control:device-1');
    await confirmWithPassphrase(page, `${PASSPHRASE}!`);
    await page.locator('.messages [role="alert"]').filter({ hasText: 'Wrong passphrase for the signature key' }).waitFor({ timeout: 120_000 });

    await page.getByRole('button', { name: 'Authorize' }).click();
    await confirmWithPassphrase(page, PASSPHRASE);
    await page.getByTestId('task-result').filter({ hasText: 'Authorized “remote-control:device-1” with your signature' }).waitFor({ timeout: 120_000 });
    const audit = await api<{ items: { type: string; actor: string }[] }>('GET', `/v1/orgs/${orgId}/audit-log?type=SensitiveTaskAuthorized`, tokens.alice);
    expect(audit.items.map(({ actor }) => actor)).toEqual(['alice']);
  });

  /** Found from outside: anyone can seal a file naming an org and agent, and importing one replaced the agent's key kept by the browser, unasked, for good. */
  it('never replaces the active key this browser holds with a key file of another key unless told to', async () => {
    const page = await signedInPage('carol');
    await page.getByRole('button', { name: 'Create my key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign with your key?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByTestId('key-status').filter({ hasText: 'PENDING' }).waitFor();
    await approvedByAlice(page, 'carol');

    const other = await generateKeyPair();
    const path = join(folder, 'not-carols-key.json');
    writeFileSync(path, JSON.stringify(await sealKey(other, { orgId, agentId: 'carol' }, PASSPHRASE, new Date().toISOString()), null, 2));
    await page.getByLabel('Key file', { exact: true }).setInputFiles(path);
    await page.getByRole('button', { name: 'Import key file' }).click();
    const refusal = page.locator('.messages [role="alert"]').filter({ hasText: 'Nothing was imported' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('which cannot be exported: replaced, it is lost for good');
    // The key this browser holds is still the one it made, read again from its store.
    await page.reload();
    await page.getByRole('heading', { name: 'Active key' }).waitFor();
    await page.getByTestId('key-kind').filter({ hasText: 'a key held by this browser' }).waitFor();

    // Told to, it replaces it.
    await page.getByLabel('Key file', { exact: true }).setInputFiles(path);
    await page.getByLabel('Replace the active key this browser holds').check();
    await page.getByRole('button', { name: 'Import key file' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported the key file' }).waitFor();
    await page.getByTestId('key-kind').filter({ hasText: 'portable key file' }).waitFor();
  });

  it('creates a portable key whose exported file the CLI opens and signs with, and sends neither the file nor its secret anywhere', async () => {
    const page = await signedInPage('bob');
    // Everything the page sends, to any origin: the key never leaves the browser but as the download asked for.
    const sent: string[] = [];
    page.on('request', (request) => sent.push(`${request.url()} ${request.postData() ?? ''}`));
    await page.getByLabel(/^Portable/).check();
    await page.getByLabel('Passphrase for a portable key').fill(PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Create my key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign with your key?' });
    await dialog.waitFor({ timeout: 120_000 });
    await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByTestId('key-status').filter({ hasText: 'PENDING' }).waitFor();
    await page.getByTestId('key-kind').filter({ hasText: 'portable key file' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, '9-my-key-portable.png'), fullPage: true });

    const pending = await approvedByAlice(page, 'bob');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export my key as a portable file' }).click()]);
    const path = join(folder, download.suggestedFilename());
    await download.saveAs(path);
    const file = parseKeyFile(readFileSync(path, 'utf8'), path);
    expect(file).toMatchObject({ orgId, agentId: 'bob', publicKey: pending.publicKey });
    const bobKey = await openKey(file, PASSPHRASE);
    const browserId = 'cli-bob';
    const task = 'remote-control:device-2';
    const authorized = await api('POST', `/v1/orgs/${orgId}/sensitive-tasks`, tokens.bob, {
      browserId,
      task,
      ...(await cliProof('bob', bobKey, { purpose: 'SENSITIVE_TASK', browserId, task })),
    });
    expect(authorized).toMatchObject({ authorized: true, method: 'SIGNATURE' });
    const secret = Buffer.from(bobKey.secretKey);
    const leaks = [file.ciphertext, PASSPHRASE, secret.toString('base64url'), secret.toString('base64'), secret.toString('hex')];
    expect(sent.filter((request) => leaks.some((leak) => request.includes(leak)))).toEqual([]);
    expect(sent.some((request) => request.includes(pending.publicKey))).toBe(true);
  });
});
