import type { Browser } from 'playwright-core';
import { challengeRequestBody, type Binding } from '../../src/domain/shared/statement-binding';
import { generateKeyPair, signStatement, type UnlockedKey } from '../../src/cli/signature-key';
import { verificationCode } from '../../src/crypto/verification-code';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { launchChromium } from './browser';
import { serverApi } from './server-api';

/**
 * What an approver reads on Pending keys before hearing a code: who asks (name and email beside the
 * agent id), and, for a replacement, that approving revokes the ACTIVE key it names (R8).
 */
jest.setTimeout(120_000);

describe('web console: who asks, and what a request replaces, on Pending keys (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let orgId: string;
  let aliceKey: UnlockedKey;
  const tokens: Record<string, string> = {};

  const api = serverApi(() => server);
  const proof = async (agentId: string, key: UnlockedKey, binding: Binding) => {
    const challenge = await api('POST', `/v1/orgs/${orgId}/challenges`, tokens[agentId], challengeRequestBody(binding));
    return { challengeId: challenge.challengeId, signature: await signStatement(key, challenge.statement) };
  };
  const requestKey = async (agentId: string, key: UnlockedKey) =>
    api('POST', `/v1/orgs/${orgId}/key-requests`, tokens[agentId], { publicKey: key.publicKey, ...(await proof(agentId, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey })) });
  const member = async (agentId: string, displayName: string) => {
    await api('POST', `/v1/orgs/${orgId}/agents`, tokens.alice, { agentId, email: `${agentId}@acme.test`, displayName, role: 'MEMBER' });
    tokens[agentId] = await server.token(orgId, agentId);
  };

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    server = await startTestServer();
    ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice Admin' } }));
    tokens.alice = await server.token(orgId, 'alice');
    aliceKey = await generateKeyPair();
    expect((await requestKey('alice', aliceKey)).status).toBe('APPROVED');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the requester’s name and email beside their id, and the ACTIVE key a replacement would revoke; nothing of the kind for a first key', async () => {
    await member('bob', 'Bob Builder');
    const bobKey = await generateKeyPair();
    const first = await requestKey('bob', bobKey);
    await api('POST', `/v1/orgs/${orgId}/key-requests/${first.requestId}/approve`, tokens.alice, {
      verificationCode: verificationCode(orgId, 'bob', bobKey.publicKey),
      ...(await proof('alice', aliceKey, { purpose: 'KEY_DECISION', requestId: first.requestId, requesterPublicKey: bobKey.publicKey, decision: 'APPROVE' })),
    });
    const replacement = await requestKey('bob', await generateKeyPair());
    await member('carol', 'Carol Newcomer');
    await requestKey('carol', await generateKeyPair());

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Agent token').fill(tokens.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Pending keys', exact: true }).click();
    await page.getByRole('button', { name: 'Approve carol' }).waitFor();

    const row = (agentId: string) => page.locator('tr').filter({ has: page.getByRole('button', { name: `Approve ${agentId}`, exact: true }) });
    const requester = async (agentId: string) => (await row(agentId).locator('td').first().innerText()).trim();
    expect(await requester('bob')).toBe('Bob Builder (bob)\nbob@acme.test');
    expect(await requester('carol')).toBe('Carol Newcomer (carol)\ncarol@acme.test');
    expect(replacement.status).toBe('PENDING');
    const replaces = row('bob').getByTestId('replaces');
    expect((await replaces.innerText()).trim()).toBe(`Replaces ACTIVE key ${first.fingerprint.slice(0, 16)}…: approving revokes it`);
    expect(await replaces.locator('[title]').getAttribute('title')).toBe(first.fingerprint);
    expect(await row('carol').getByTestId('replaces').count()).toBe(0);
    expect(await row('bob').getByRole('group').getAttribute('aria-label')).toBe('Decide on Bob Builder (bob)’s request');
  });
});
