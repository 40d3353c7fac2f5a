/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { challengeRequestBody, type Binding } from '../../src/domain/shared/statement-binding';
import { generateKeyPair, signStatement, type UnlockedKey } from '../../src/cli/signature-key';
import { consoleBuilt } from '../../src/http/console-static';
import { startTestServer, type TestServer } from '../support/test-server';
import { chromiumBeside } from './browser';
import { serverApi } from './server-api';

/**
 * Data other people chose, as an approver reads it: what the server accepts must not make one
 * value read as another next to what the approver checks before approving.
 */
jest.setTimeout(120_000);

describe('web console: hostile data as an approver reads it (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let orgId: string;
  const tokens: Record<string, string> = {};

  const api = serverApi(() => server);
  const challengeFor = (agentId: string, key: UnlockedKey) => {
    const binding: Binding = { purpose: 'KEY_REQUEST', publicKey: key.publicKey };
    return api('POST', `/v1/orgs/${orgId}/challenges`, tokens[agentId], challengeRequestBody(binding));
  };
  const requestKey = async (agentId: string, key: UnlockedKey, challenge?: Record<string, string>) => {
    const { challengeId, statement } = challenge ?? (await challengeFor(agentId, key));
    return api('POST', `/v1/orgs/${orgId}/key-requests`, tokens[agentId], { publicKey: key.publicKey, challengeId, signature: await signStatement(key, statement) });
  };

  /**
   * Members of the org, each with a PENDING key request, requested in the order given (oldest first): the
   * members, their keys and challenges are made a few at a time, then the requests are sent one after the other.
   */
  const pendingMembers = async (members: { agentId: string; displayName?: string }[]) => {
    const ready: { agentId: string; key: UnlockedKey; challenge: Record<string, string> }[] = [];
    for (let at = 0; at < members.length; at += 8) {
      ready.push(
        ...(await Promise.all(
          members.slice(at, at + 8).map(async ({ agentId, displayName = agentId }) => {
            await api('POST', `/v1/orgs/${orgId}/agents`, tokens.alice, { agentId, email: `${agentId}@acme.test`, displayName, role: 'MEMBER' });
            tokens[agentId] = await server.token(orgId, agentId);
            const key = await generateKeyPair();
            return { agentId, key, challenge: await challengeFor(agentId, key) };
          }),
        )),
      );
    }
    for (const { agentId, key, challenge } of ready) expect((await requestKey(agentId, key, challenge)).status).toBe('PENDING');
  };
  /** A member of the org with a PENDING key request. */
  const pendingMember = (agentId: string, displayName = agentId) => pendingMembers([{ agentId, displayName }]);
  /** alice, signed in with her token, on one screen of the console. */
  const aliceOn = async (screen: string) => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Agent token').fill(tokens.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My key' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: screen, exact: true }).click();
    return page;
  };

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    browser = await chromiumBeside(async () => {
      server = await startTestServer();
      ({ orgId } = await api('POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice Admin' } }));
      tokens.alice = await server.token(orgId, 'alice');
      expect((await requestKey('alice', await generateKeyPair())).status).toBe('APPROVED');
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a display name written as markup as its text, on the approver’s screens, and runs nothing of it', async () => {
    const displayName = '<img src="x" onerror="document.title=\'pwned\'"><b>Bob</b>';
    await pendingMember('markup', displayName);
    const page = await aliceOn('Pending keys');
    await page.getByRole('button', { name: 'Approve markup' }).waitFor();
    expect(await page.locator('#screen img, #screen b').count()).toBe(0);
    await page.getByRole('navigation').getByRole('link', { name: 'Zero-trust status', exact: true }).click();
    await page.locator('td').filter({ hasText: `${displayName} (markup)` }).waitFor();
    expect(await page.locator('#screen img, #screen b').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
  });

  it('lists every pending request, not only the first page of 100: the oldest come first and the count is the whole backlog', async () => {
    const waiting = 101;
    const pending = async () => (await api<{ items: unknown[] }>('GET', `/v1/orgs/${orgId}/key-requests?limit=100`, tokens.alice)).items.length;
    const before = await pending();
    await pendingMembers(Array.from({ length: waiting }, (_, i) => ({ agentId: `backlog-${String(i).padStart(3, '0')}` })));
    const page = await aliceOn('Pending keys');
    await page.getByRole('button', { name: 'Approve backlog-000' }).waitFor();
    const total = before + waiting;
    expect(await page.locator('caption').textContent()).toBe(`${total} key request(s) waiting, oldest first`);
    expect(await page.getByRole('button', { name: /^Approve / }).count()).toBe(total);
    await page.getByRole('button', { name: 'Approve backlog-100' }).waitFor();
  });

  it('shows a right-to-left display name before its agent id in the zero-trust status, which it cannot pull into its own run', async () => {
    // Hebrew letters are accepted in a name (no formatting character): without isolation the Unicode
    // bidi algorithm draws the parenthesised all-digit id inside the name’s right-to-left run: the id showed left of the name, "(1001)" then the name.
    const agentId = '1001';
    const displayName = 'מנהל';
    await pendingMember(agentId, displayName);

    const page = await aliceOn('Zero-trust status');
    const requester = page.locator('td').filter({ hasText: agentId }).first();
    await requester.waitFor();

    /** Left edge on screen of each character of the cell's first line, in text order. */
    const lefts = await requester.evaluate((cell) => {
      const edges: { character: string; left: number }[] = [];
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (let offset = 0; offset < text.length; offset++) {
          const range = document.createRange();
          range.setStart(node, offset);
          range.setEnd(node, offset + 1);
          edges.push({ character: text[offset], left: range.getBoundingClientRect().left });
        }
      }
      return edges;
    });
    const line = lefts.map(({ character }) => character).join('');
    expect(line.slice(0, displayName.length + agentId.length + 3)).toBe(`${displayName} (${agentId})`);
    const nameRight = Math.max(...lefts.slice(0, displayName.length).map(({ left }) => left));
    const idLefts = lefts.slice(displayName.length + 2, displayName.length + 2 + agentId.length).map(({ left }) => left);
    // The agent id is drawn after the whole name, left to right, one character after the other.
    expect(Math.min(...idLefts)).toBeGreaterThan(nameRight);
    expect(idLefts).toEqual([...idLefts].sort((a, b) => a - b));
  });
});
